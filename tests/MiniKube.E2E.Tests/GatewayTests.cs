namespace MiniKube.E2E.Tests;

/// <summary>
/// The Gateway API on the ingress data plane of the published binary, on a Docker node, with the
/// real kubectl and curl: the GatewayClass <c>mkube</c> made at start; a Gateway and an HTTPRoute
/// applied with <c>kubectl apply</c> whose conditions (Accepted, Programmed, ResolvedRefs) kubectl
/// reads; and the route reached with <c>curl --resolve</c>: a header match to one Deployment, and a
/// 90/10 weight split between two Deployments' Services (busybox httpd pods, each answering its
/// name) counted over 400 requests. Needs root and dockerd, as the other Docker-node tests.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class GatewayTests : IngressFixture
{
    private const string Node = "e2e-gateway";

    // Binomial(400, 0.9): mean 360, standard deviation 6. The range is five deviations either side
    // (a false failure about once in two million runs); a broken split (50/50, or all to one) is far outside.
    private const int Requests = 400;

    protected override string DescribedKinds => "gateway,httproute";

    [Test]
    public async Task HttpRoute_HeaderMatchAndNinetyTenSplitToPods_RoutedAsWritten_ConditionsTrue()
    {
        Assert.That(Environment.IsPrivilegedProcess, "a Docker node needs root, as scripts/test runs");
        await StartServerAsync(DockerNodeStartTimeout, "--node-name", Node, "--disable", "metrics,dashboard");
        await ApplyAsync(Manifest);
        await WaitDeploymentsReadyAsync("web-a", "web-b");

        await WaitAsync(async () => (await Kubectl.RunAsync("get", "gateway", "gw", "-o", "jsonpath={.status.conditions[?(@.type==\"Programmed\")].status}")).Output == "True", "Gateway Programmed", 60);
        await WaitAsync(async () => (await CurlHttpAsync("split.test", "/", "-s")).Output.Trim() is "A" or "B", "the route served", 60);
        // One curl over one connection: a URL glob fetches every URL in turn, and the data plane picks a backend per request.
        var canary = await CurlHttpAsync("split.test", "/?n=[1-20]", "-s", "-H", "env: canary");
        var split = await CurlHttpAsync("split.test", $"/?n=[1-{Requests}]", "-s", "--max-time", "120");
        var answers = split.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var gateway = await Kubectl.OkAsync("get", "gateway", "gw", "-o", "jsonpath={.status.conditions[?(@.type==\"Accepted\")].status} {.status.conditions[?(@.type==\"Programmed\")].status} {.status.listeners[0].attachedRoutes}");
        var route = await Kubectl.OkAsync("get", "httproute", "split", "-o", "jsonpath={.status.parents[0].conditions[?(@.type==\"Accepted\")].status} {.status.parents[0].conditions[?(@.type==\"ResolvedRefs\")].status}");
        var address = await Kubectl.OkAsync("get", "gateway", "gw", "-o", "jsonpath={.status.addresses[0].value}");

        Assert.Multiple(() =>
        {
            Assert.That(canary.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(Enumerable.Repeat("B", 20)), "the header match; " + canary.Error);
            Assert.That(answers, Has.Length.EqualTo(Requests).And.All.AnyOf("A", "B"), split.Error);
            Assert.That(answers.Count(a => a == "A"), Is.InRange(330, 390), "the 90/10 split");
            Assert.That(gateway, Is.EqualTo("True True 1"), "Gateway Accepted, Programmed, routes attached");
            Assert.That(route, Is.EqualTo("True True"), "HTTPRoute Accepted, ResolvedRefs");
            Assert.That(System.Net.IPAddress.TryParse(address, out _), Is.True, address);
        });
    }

    // Two one-pod Deployments answering "A" and "B" (busybox httpd), their Services, the Gateway and the route.
    private static string Manifest => HttpdPods.WithService("web-a", "A") + HttpdPods.WithService("web-b", "B") + """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw}
        spec:
          gatewayClassName: mkube
          listeners:
          - {name: web, protocol: HTTP, port: 80}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: split}
        spec:
          parentRefs: [{name: gw}]
          hostnames: [split.test]
          rules:
          - matches: [{headers: [{name: env, value: canary}]}]
            backendRefs: [{name: web-b, port: 80}]
          - backendRefs:
            - {name: web-a, port: 80, weight: 90}
            - {name: web-b, port: 80, weight: 10}
        """;
}
