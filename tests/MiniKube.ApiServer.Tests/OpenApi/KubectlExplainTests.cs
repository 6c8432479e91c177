using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.OpenApi;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>
/// The real kubectl against our documents: a plain-HTTP loopback server with legacy discovery
/// built from the catalog, /version, and the OpenAPI v3 index and documents.
/// </summary>
[Category("Integration")]
public class KubectlExplainTests
{
    private const string Kubectl = "/usr/bin/kubectl";

    private string _dir = null!;
    private WebApplication _app = null!;
    private string _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _dir = Directory.CreateTempSubdirectory("mkube-explain-").FullName;
        var documents = new OpenApiDocuments("v1.32.0");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/version", () => Results.Json(new Dictionary<string, string>
        {
            ["major"] = "1",
            ["minor"] = "32",
            ["gitVersion"] = "v1.32.0",
            ["platform"] = "linux/amd64",
        }));
        _app.MapGet("/api", () => Results.Text(ApiVersions(), "application/json"));
        _app.MapGet("/apis", () => Results.Text(GroupList(), "application/json"));
        _app.MapGet("/api/{version}", (string version) => ResourceList("", version));
        _app.MapGet("/apis/{group}/{version}", (string group, string version) => ResourceList(group, version));
        _app.MapGet("/openapi/v3", () => Results.Bytes(documents.Index, "application/json"));
        _app.MapGet("/openapi/v3/{**path}", (string path) =>
            documents.TryGetDocument(path, out var json, out _) ? Results.Bytes(json, "application/json") : Results.NotFound());
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _server = address;
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Explain_PodSpecContainers_PrintsContainerFields()
    {
        var (exit, output) = await RunKubectlAsync("explain", "pod.spec.containers");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("KIND:       Pod"));
        Assert.That(output, Does.Contain("FIELD: containers <[]Container>"));
        Assert.That(output, Does.Contain("image\t<string>"));
        Assert.That(output, Does.Contain("name\t<string> -required-"));
        Assert.That(output, Does.Contain("ports\t<[]ContainerPort>"));
        Assert.That(output, Does.Contain("resources\t<ResourceRequirements>"));
        if (ModelDescriptions.LoadEmbedded().Count > 0)
        {
            // Only when the build embedded the model docs (see OpenApi/ModelDescriptions).
            Assert.That(output, Does.Contain("A single application container"));
        }
    }

    [Test]
    public async Task Explain_DeploymentSpec_PrintsSpecFields()
    {
        var (exit, output) = await RunKubectlAsync("explain", "deployment.spec");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("GROUP:      apps"));
        Assert.That(output, Does.Contain("replicas\t<integer>"));
        Assert.That(output, Does.Contain("selector\t<LabelSelector> -required-"));
        Assert.That(output, Does.Contain("template\t<PodTemplateSpec> -required-"));
    }

    [Test]
    public async Task Explain_MapsAndIntOrString_PrintTheirTypes()
    {
        var (exit, output) = await RunKubectlAsync("explain", "service.spec.ports");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("targetPort\t<IntOrString>"));
        var (_, meta) = await RunKubectlAsync("explain", "pod.metadata");
        Assert.That(meta, Does.Contain("labels\t<map[string]string>"));
        Assert.That(meta, Does.Contain("creationTimestamp\t<string>"));
    }

    [Test]
    public async Task CreateDryRunClient_StrictValidation_FindsServerSideFieldValidation()
    {
        // With --validate=strict kubectl looks for the fieldValidation parameter on the kind's
        // PATCH operation; without it, it would fall back to /openapi/v2 (404 here) and fail.
        var manifest = Path.Combine(_dir, "deploy.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: nginx
            """);

        var (exit, output) = await RunKubectlAsync("create", "-f", manifest, "--dry-run=client", "--validate=strict", "-o", "name");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output.Trim(), Is.EqualTo("deployment.apps/web"));
    }

    private async Task<(int Exit, string Output)> RunKubectlAsync(params string[] args)
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, "");
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["KUBECONFIG"] = kubeconfig, ["HOME"] = _dir },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add("--server=" + _server);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(_dir, "cache"));
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        await TestContext.Out.WriteLineAsync(output);
        return (process.ExitCode, output);
    }

    private static string ApiVersions() => new JsonObject
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
    }.ToJsonString();

    private static string GroupList()
    {
        var groups = new JsonArray();
        foreach (var gv in ResourceCatalog.All.Where(r => r.Group.Length > 0).Select(r => (r.Group, r.Version, r.GroupVersion)).Distinct())
        {
            var version = new JsonObject { ["groupVersion"] = gv.GroupVersion, ["version"] = gv.Version };
            groups.Add(new JsonObject
            {
                ["name"] = gv.Group,
                ["versions"] = new JsonArray(version),
                ["preferredVersion"] = version.DeepClone(),
            });
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups }.ToJsonString();
    }

    private static IResult ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var r in ResourceCatalog.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.SingularName,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = new JsonArray([.. r.ShortNames.Select(v => (JsonNode)v)]),
            });
        }
        if (resources.Count == 0)
        {
            return Results.NotFound();
        }
        var groupVersion = group.Length == 0 ? version : $"{group}/{version}";
        return Results.Text(new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        }.ToJsonString(), "application/json");
    }
}
