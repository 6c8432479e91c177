using static MiniKube.E2E.Tests.IngressTests;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The Gateway API on the ingress data plane of the published binary, with the real kubectl and
/// curl: the GatewayClass <c>mkube</c> made at start, a Gateway applied with <c>kubectl apply</c>
/// that shows Programmed=True, and an HTTPRoute with a header match and a 90/10 weight split
/// reached with <c>curl --resolve</c>. As <see cref="IngressTests"/>, the backends are loopback
/// HTTP servers of the test behind Services with hand-written EndpointSlices, so no pod starts.
/// Needs the Gateway API CRDs the server installs at start.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class GatewayTests : DataDirFixture
{
    [Test]
    public async Task HttpRoute_HeaderMatchAndNinetyTenSplit_RoutedAsWritten_GatewayProgrammed()
    {
        using var a = Backend("A");
        using var b = Backend("B");
        var http = FreePort();
        var https = FreePort();
        using var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable-scheduler", "--ingress-http-port", Port(http), "--ingress-https-port", Port(https)));
        await server.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "gatewayclass", "mkube", "-o", "jsonpath={.spec.controllerName}")).Output == "mkube.io/gateway", "the GatewayClass mkube", 90);
        var applied = await kubectl.RunWithAsync(Manifest(a.Port, b.Port), null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());

        await WaitAsync(async () => (await kubectl.RunAsync("get", "gateway", "gw", "-o", "jsonpath={.status.conditions[?(@.type==\"Programmed\")].status}")).Output == "True", "Gateway Programmed", 90);
        await WaitAsync(async () => (await CurlAsync("-s", "--resolve", $"split.test:{http}:127.0.0.1", $"http://split.test:{http}/")).Output is "A /" or "B /", "the route served", 60);
        var canary = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            canary.Add((await CurlAsync("-s", "-H", "env: canary", "--resolve", $"split.test:{http}:127.0.0.1", $"http://split.test:{http}/")).Output);
        }
        var toA = 0;
        const int Requests = 400;
        for (var i = 0; i < Requests; i++)
        {
            toA += (await CurlAsync("-s", "--resolve", $"split.test:{http}:127.0.0.1", $"http://split.test:{http}/")).Output == "A /" ? 1 : 0;
        }
        var accepted = await kubectl.OkAsync("get", "httproute", "split", "-o", "jsonpath={.status.parents[0].conditions[?(@.type==\"Accepted\")].status}");
        var address = await kubectl.OkAsync("get", "gateway", "gw", "-o", "jsonpath={.status.addresses[0].value}");

        Assert.Multiple(() =>
        {
            Assert.That(canary, Is.All.EqualTo("B /"), "the header match");
            // Binomial(400, 0.9): mean 360, standard deviation 6; five of them either side.
            Assert.That(toA, Is.InRange(330, 390));
            Assert.That(accepted, Is.EqualTo("True"));
            Assert.That(System.Net.IPAddress.TryParse(address, out _), Is.True, address);
        });
    }

    private static string Manifest(int portA, int portB) => BackendsManifest(portA, portB) + """
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
