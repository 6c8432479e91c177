using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Gateway.Crds;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Gateway.Crds;

/// <summary>
/// The installer against the in-process API server, as system:mkube:ingress (the bootstrap
/// policy's get/patch on these five CRDs is all it has): a fresh install, a second run, a newer
/// bundle kept and an older one brought to ours; and each definition passes the server's CRD
/// validation with no warning (a warning would mean a CEL rule our engine does not compile).
/// </summary>
[Category("Integration")]
public sealed class GatewayCrdInstallerTests
{
    private TestApiServer _api = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _identity = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _admin = _api.Client();
        _identity = new Kubernetes(TestIdentities.Configuration(_api, _api.Pki.Ingress));
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _identity.Dispose();
        _admin.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task Build_EveryCrd_PassesValidationWithoutWarnings()
    {
        foreach (var crd in GatewayApiCrds.Build())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_admin.BaseUri, "apis/apiextensions.k8s.io/v1/customresourcedefinitions?dryRun=All"))
            {
                Content = new StringContent(crd.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            using var response = await _admin.HttpClient.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body);
            Assert.That(response.Headers.TryGetValues("Warning", out var warnings) ? warnings : [], Is.Empty, (string)crd["metadata"]!["name"]!);
        }
    }

    [Test]
    public async Task InstallAsync_FreshServer_AppliesAllFiveAndEstablishesThem()
    {
        var outcomes = await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);

        Assert.That(outcomes.Keys, Is.EquivalentTo(GatewayApiCrds.Names));
        Assert.That(outcomes.Values, Is.All.EqualTo(GatewayCrdOutcome.Applied));
        Assert.That(GatewayApiCrds.Names, Is.EquivalentTo(new[]
        {
            "gatewayclasses.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io",
            "grpcroutes.gateway.networking.k8s.io", "referencegrants.gateway.networking.k8s.io",
        }));
        foreach (var name in GatewayApiCrds.Names)
        {
            var crd = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name);
            Assert.That(crd.Status.Conditions.Single(c => c.Type == "Established").Status, Is.EqualTo("True"), name);
            Assert.That(crd.Metadata.Annotations["gateway.networking.k8s.io/bundle-version"], Is.EqualTo("v1.3.0"));
            Assert.That(crd.Metadata.Annotations["gateway.networking.k8s.io/channel"], Is.EqualTo("standard"));
            Assert.That(crd.Metadata.ManagedFields.Select(f => f.Manager), Does.Contain(GatewayApiCrds.FieldManager));
            Assert.That(crd.Spec.Versions.Single(v => v.Storage).Name, Is.EqualTo(name.StartsWith("referencegrants", StringComparison.Ordinal) ? "v1beta1" : "v1"));
        }
        var httpRoutes = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("httproutes.gateway.networking.k8s.io");
        Assert.That(httpRoutes.Spec.Versions.Select(v => v.Name), Is.EqualTo(new[] { "v1", "v1beta1" }));
        Assert.That(httpRoutes.Spec.Versions[0].AdditionalPrinterColumns.Select(c => c.Name), Is.EqualTo(new[] { "Hostnames", "Age" }));
        var gateways = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io");
        Assert.That(gateways.Spec.Versions[0].AdditionalPrinterColumns.Select(c => c.Name), Is.EqualTo(new[] { "Class", "Address", "Programmed", "Age" }));
        Assert.That(gateways.Spec.Names.ShortNames, Is.EqualTo(new[] { "gtw" }));
        var grpcRoutes = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("grpcroutes.gateway.networking.k8s.io");
        Assert.That(grpcRoutes.Spec.Versions.Select(v => v.Name), Is.EqualTo(new[] { "v1" }));
    }

    [Test]
    public async Task InstallAsync_SecondRun_ChangesNothing()
    {
        await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var before = await VersionsAsync();

        var outcomes = await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);

        Assert.That(outcomes.Values, Is.All.EqualTo(GatewayCrdOutcome.Current));
        Assert.That(await VersionsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task InstallAsync_OurCrdEditedByHand_IsBroughtBack()
    {
        await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        var edited = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io");
        edited.Spec.Versions[0].AdditionalPrinterColumns.RemoveAt(1);
        await _admin.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(edited, edited.Metadata.Name);

        var outcomes = await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);

        Assert.That(outcomes["gateways.gateway.networking.k8s.io"], Is.EqualTo(GatewayCrdOutcome.Applied));
        Assert.That(outcomes["httproutes.gateway.networking.k8s.io"], Is.EqualTo(GatewayCrdOutcome.Current));
        var restored = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io");
        Assert.That(restored.Spec.Versions[0].AdditionalPrinterColumns.Select(c => c.Name), Is.EqualTo(new[] { "Class", "Address", "Programmed", "Age" }));
    }

    [Test]
    public async Task InstallAsync_NewerBundleInstalled_LeavesItAndUpdatesAnOlderOne()
    {
        await CreateWithBundleAsync("httproutes.gateway.networking.k8s.io", "v1.4.0-rc.1");
        await CreateWithBundleAsync("gateways.gateway.networking.k8s.io", "v1.2.1");

        var outcomes = await GatewayCrdInstaller.InstallAsync(_identity, NullLogger.Instance, TimeProvider.System, CancellationToken.None);

        Assert.That(outcomes["httproutes.gateway.networking.k8s.io"], Is.EqualTo(GatewayCrdOutcome.KeptNewer));
        Assert.That(outcomes["gateways.gateway.networking.k8s.io"], Is.EqualTo(GatewayCrdOutcome.Applied));
        var kept = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("httproutes.gateway.networking.k8s.io");
        Assert.That(kept.Metadata.Annotations["gateway.networking.k8s.io/bundle-version"], Is.EqualTo("v1.4.0-rc.1"));
        Assert.That(kept.Spec.Versions.Select(v => v.Name), Is.EqualTo(new[] { "v1" }), "the user's definition, untouched");
        var updated = await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("gateways.gateway.networking.k8s.io");
        Assert.That(updated.Metadata.Annotations["gateway.networking.k8s.io/bundle-version"], Is.EqualTo("v1.3.0"));
        Assert.That(updated.Spec.Versions.Select(v => v.Name), Is.EqualTo(new[] { "v1", "v1beta1" }));
    }

    [Test]
    public async Task Identity_MayNotTouchOtherCrds()
    {
        var crd = GatewayApiCrds.Build()[0];
        crd["metadata"]!["name"] = "widgets.gateway.networking.k8s.io";
        var ex = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => _identity.ApiextensionsV1.PatchCustomResourceDefinitionAsync(
            new V1Patch(crd.ToJsonString(), V1Patch.PatchType.ApplyPatch), "widgets.gateway.networking.k8s.io", fieldManager: GatewayApiCrds.FieldManager, force: true));
        Assert.That(ex!.Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private async Task<List<string>> VersionsAsync()
    {
        var versions = new List<string>();
        foreach (var name in GatewayApiCrds.Names)
        {
            versions.Add((await _admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name)).Metadata.ResourceVersion);
        }
        return versions;
    }

    // A hand-installed release: our definition with only v1 served and another bundle-version, written by kubectl.
    private async Task CreateWithBundleAsync(string name, string bundleVersion)
    {
        var crd = GatewayApiCrds.Build().Single(c => (string)c["metadata"]!["name"]! == name);
        crd["metadata"]!["annotations"]!["gateway.networking.k8s.io/bundle-version"] = bundleVersion;
        var versions = crd["spec"]!["versions"]!.AsArray();
        while (versions.Count > 1)
        {
            versions.RemoveAt(versions.Count - 1);
        }
        await _admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(crd.ToJsonString()), fieldManager: "kubectl-client-side-apply");
    }
}
