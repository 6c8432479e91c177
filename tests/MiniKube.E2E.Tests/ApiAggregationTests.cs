using System.Text.Json.Nodes;
using MiniKube.Testing;

namespace MiniKube.E2E.Tests;

/// <summary>
/// An aggregated API server started by the test (an HTTPS server in the test process, reached
/// through a Service and its Endpoints) behind an APIService, with the real kubectl: it becomes
/// Available, <c>kubectl api-resources</c> lists its resource and <c>kubectl get --raw</c> reaches
/// it. No agent, so no pods.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class ApiAggregationTests : DataDirFixture
{
    private const string Group = "metrics.example.com";
    private const string Version = "v1beta1";

    [Test]
    public async Task AggregatedServer_IsListedByApiResources_AndReachedByGetRaw()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent"));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        await using var extension = await ExtensionApiServer.StartAsync(Group, Version, "default", "widgets-api");
        var (service, endpoints, apiService) = extension.Objects("default", "widgets-api");
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        // A stream of three JSON objects; a v1 List would send kubectl to /openapi/v2 for validation.
        var manifests = string.Join("\n", service.ToJsonString(), endpoints.ToJsonString(), apiService.ToJsonString());

        var created = await kubectl.RunWithAsync(manifests, null, "create", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await kubectl.RunAsync("get", "apiservice", $"{Version}.{Group}", "-o", "jsonpath={.status.conditions[?(@.type==\"Available\")].status}")).Output != "True")
        {
            if (DateTime.UtcNow > deadline)
            {
                var state = await kubectl.RunAsync("get", "apiservice", $"{Version}.{Group}", "-o", "yaml");
                var endpointsNow = await kubectl.RunAsync("get", "endpoints", "widgets-api", "-o", "yaml");
                Assert.Fail($"the APIService did not become Available:\n{state.Output}\n{endpointsNow.Output}");
            }
            await Task.Delay(250);
        }

        var resources = await kubectl.OkAsync("api-resources", "--api-group", Group);
        var raw = await kubectl.OkAsync("get", "--raw", $"/apis/{Group}/{Version}/namespaces/default/widgets/w1");
        var apiServices = await kubectl.OkAsync("get", "apiservices");

        Assert.That(resources, Does.Contain("widgets").And.Contain("wdg").And.Contain($"{Group}/{Version}").And.Contain("Widget"));
        var widget = JsonNode.Parse(raw)!;
        Assert.That(widget["kind"]!.GetValue<string>(), Is.EqualTo("Widget"));
        Assert.That(widget["spec"]!["seenUser"]!.GetValue<string>(), Is.EqualTo("admin"));
        var lines = apiServices.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Match("^NAME +SERVICE +AVAILABLE +AGE$"));
        Assert.That(lines, Has.Some.Match("^v1\\.apps +Local +True +"));
        Assert.That(lines, Has.Some.Match($"^{Version}\\.{Group.Replace(".", "\\.", StringComparison.Ordinal)} +default/widgets-api +True +"));
    }
}
