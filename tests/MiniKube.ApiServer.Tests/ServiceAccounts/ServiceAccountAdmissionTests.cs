using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.ServiceAccounts;

public sealed class ServiceAccountAdmissionTests : ServiceAccountFixture
{
    [SetUp]
    public Task Start() => StartRegistryAsync(new ServiceAccountAdmission(new CachedReads(Store, null)) { RetryInterval = TimeSpan.FromMilliseconds(1) });

    [Test]
    public async Task CreatePod_Default_GetsTheTokenVolumeMountedInEveryContainer()
    {
        await CreateAccountAsync("default");

        var pod = await CreatePodAsync("web", edit: p => p["spec"]!["initContainers"] = new JsonArray(new JsonObject { ["name"] = "init", ["image"] = "busybox" }));

        var spec = pod["spec"]!;
        Assert.That(spec["serviceAccountName"]!.GetValue<string>(), Is.EqualTo("default"));
        var volume = spec["volumes"]!.AsArray().Single()!.AsObject();
        var name = volume["name"]!.GetValue<string>();
        Assert.That(name, Does.Match("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$"));
        Assert.That(volume["projected"]!.ToJsonString(), Is.EqualTo(
            "{\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":\"token\"}}," +
            "{\"configMap\":{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":\"ca.crt\",\"path\":\"ca.crt\"}]}}," +
            "{\"downwardAPI\":{\"items\":[{\"path\":\"namespace\",\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.namespace\"}}]}}],\"defaultMode\":420}"));
        foreach (var container in new[] { spec["containers"]![0]!, spec["initContainers"]![0]! })
        {
            Assert.That(container["volumeMounts"]!.ToJsonString(), Is.EqualTo(
                $"[{{\"name\":\"{name}\",\"readOnly\":true,\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}}]"));
        }
    }

    [Test]
    public async Task CreatePod_AutomountFalseOnThePodOrTheAccount_NoVolume_PodTrueWins()
    {
        await CreateAccountAsync("default");
        await CreateAccountAsync("quiet", automount: false);

        var podSaysNo = await CreatePodAsync("a", edit: p => p["spec"]!["automountServiceAccountToken"] = false);
        var accountSaysNo = await CreatePodAsync("b", "quiet");
        var podOverrides = await CreatePodAsync("c", "quiet", p => p["spec"]!["automountServiceAccountToken"] = true);

        Assert.That(podSaysNo["spec"]!["volumes"], Is.Null);
        Assert.That(accountSaysNo["spec"]!["volumes"], Is.Null);
        Assert.That(accountSaysNo["spec"]!["containers"]![0]!["volumeMounts"], Is.Null);
        Assert.That(podOverrides["spec"]!["volumes"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public void CreatePod_AccountMissing_403WithUpstreamsText()
    {
        var named = Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("web", "robot"));
        var defaulted = Assert.ThrowsAsync<ApiException>(() => CreatePodAsync("web"));

        Assert.That(named!.Code, Is.EqualTo(403));
        Assert.That(named.Message, Is.EqualTo("pods \"web\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"));
        Assert.That(defaulted!.Message, Does.EndWith("error looking up service account default/default: serviceaccount \"default\" not found"));
    }

    [Test]
    public async Task CreatePod_ContainerAlreadyMountsThePath_LeftAlone()
    {
        await CreateAccountAsync("default");

        var pod = await CreatePodAsync("web", edit: p =>
        {
            p["spec"]!["volumes"] = new JsonArray(new JsonObject { ["name"] = "mine", ["emptyDir"] = new JsonObject() });
            p["spec"]!["containers"]![0]!["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "mine", ["mountPath"] = ServiceAccountAdmission.MountPath });
        });

        Assert.That(pod["spec"]!["volumes"]!.AsArray().Select(v => v!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "mine" }));
    }

    [Test]
    public async Task CreatePod_MirrorPod_Untouched()
    {
        var pod = await CreatePodAsync("static-web", edit: p => p["metadata"]!["annotations"] = new JsonObject { ["kubernetes.io/config.mirror"] = "hash" });

        Assert.That(pod["spec"]!["volumes"], Is.Null);
    }

    [Test]
    public async Task CreatePod_AccountImagePullSecrets_CopiedWhenThePodHasNone()
    {
        await Registry.CreateAsync(ServiceAccounts, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "puller" },
            ["imagePullSecrets"] = new JsonArray(new JsonObject { ["name"] = "registry" }),
        }, dryRun: false, CancellationToken.None);

        var pod = await CreatePodAsync("web", "puller");

        Assert.That(pod["spec"]!["imagePullSecrets"]!.ToJsonString(), Is.EqualTo("[{\"name\":\"registry\"}]"));
    }
}
