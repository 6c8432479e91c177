using System.Globalization;
using MiniKube.Testing;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The Gateway API CRDs of the published binary with the real kubectl: a server with the ingress
/// add-on serves the five standard-channel CRDs from its start (<c>kubectl get crd</c>, <c>kubectl
/// explain</c>, <c>kubectl apply</c> of a Gateway and an HTTPRoute, printed with upstream's
/// columns); a server started with <c>--disable ingress</c> serves none. No pod starts
/// (--disable-agent).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class GatewayApiCrdTests : DataDirFixture
{
    private static readonly string[] Crds =
    [
        "customresourcedefinition.apiextensions.k8s.io/gatewayclasses.gateway.networking.k8s.io",
        "customresourcedefinition.apiextensions.k8s.io/gateways.gateway.networking.k8s.io",
        "customresourcedefinition.apiextensions.k8s.io/grpcroutes.gateway.networking.k8s.io",
        "customresourcedefinition.apiextensions.k8s.io/httproutes.gateway.networking.k8s.io",
        "customresourcedefinition.apiextensions.k8s.io/referencegrants.gateway.networking.k8s.io",
    ];

    [Test]
    public async Task GatewayCrds_ServedWithIngress_AbsentWithDisableIngress()
    {
        using (var server = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable-scheduler", "--ingress-http-port", FreePort(), "--ingress-https-port", FreePort())))
        {
            await server.WaitForLogAsync("components are running", StartTimeout);
            var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

            var crds = await kubectl.OkAsync("get", "crd", "-o", "name");
            var bundle = await kubectl.OkAsync("get", "crd", "httproutes.gateway.networking.k8s.io", "-o", "jsonpath={.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version} {.metadata.annotations.gateway\\.networking\\.k8s\\.io/channel}");
            var explain = await kubectl.OkAsync("explain", "httproute.spec.rules");
            var applied = await kubectl.RunWithAsync(Manifest, null, "apply", "-f", "-");
            var weights = await kubectl.RunAsync("get", "httproute", "shop", "-o", "jsonpath={.spec.rules[0].backendRefs[*].weight} {.spec.rules[0].matches[0].path.type}");
            var gateways = await kubectl.RunAsync("get", "gateways");
            var routes = await kubectl.RunAsync("get", "httproute");
            var invalid = await kubectl.RunWithAsync(InvalidRoute, null, "apply", "-f", "-");

            Assert.Multiple(() =>
            {
                Assert.That(crds.Split('\n').Where(l => l.Contains("gateway.networking.k8s.io", StringComparison.Ordinal)), Is.EquivalentTo(Crds));
                Assert.That(bundle, Is.EqualTo("v1.3.0 standard"));
                Assert.That(explain, Does.Contain("GROUP:      gateway.networking.k8s.io").And.Contain("backendRefs").And.Contain("matches"));
                Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
                Assert.That(applied.Output, Does.Contain("gateway.gateway.networking.k8s.io/shop-gateway created").And.Contain("httproute.gateway.networking.k8s.io/shop created"));
                Assert.That(weights.Output, Is.EqualTo("90 10 PathPrefix"), weights.ToString());
                Assert.That(gateways.Output, Does.Match(@"NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\nshop-gateway\s+example\s+Unknown"), gateways.ToString());
                Assert.That(routes.Output, Does.Match(@"NAME\s+HOSTNAMES\s+AGE\nshop\s+\[""shop.example.com""\]"), routes.ToString());
                Assert.That(invalid.ExitCode, Is.Not.Zero);
                Assert.That(invalid.Error, Does.Contain("RequestRedirect filter must not be used together with backendRefs"), invalid.ToString());
            });
        }

        var disabledDir = Path.Combine(DataDir, "no-ingress");
        using (var server = MkubeBinary.Start(null, ServerArgs(disabledDir, "--disable-agent", "--disable-scheduler", "--disable", "ingress")))
        {
            await server.WaitForLogAsync("components are running", StartTimeout);
            var kubectl = new Kubectl(Path.Combine(disabledDir, "kubeconfig"), Path.Combine(disabledDir, "kube-cache"));

            var crds = await kubectl.OkAsync("get", "crd", "-o", "name");
            var resources = await kubectl.RunAsync("get", "httproutes");

            Assert.That(crds, Does.Not.Contain("gateway.networking.k8s.io"));
            Assert.That(resources.Error, Does.Contain("the server doesn't have a resource type \"httproutes\""), resources.ToString());
        }
    }

    // A Gateway and an HTTPRoute as the Gateway API guides write them: a 90/10 split behind a header match.
    private const string Manifest = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: shop-gateway
        spec:
          gatewayClassName: example
          listeners:
          - name: http
            protocol: HTTP
            port: 80
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: shop
        spec:
          parentRefs:
          - name: shop-gateway
          hostnames: ["shop.example.com"]
          rules:
          - matches:
            - headers:
              - name: x-canary
                value: "yes"
            backendRefs:
            - name: shop-v1
              port: 8080
              weight: 90
            - name: shop-v2
              port: 8080
              weight: 10
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                add:
                - name: x-route
                  value: shop
        """;

    private const string InvalidRoute = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: broken
        spec:
          rules:
          - filters:
            - type: RequestRedirect
              requestRedirect:
                scheme: https
            backendRefs:
            - name: shop-v1
              port: 8080
        """;

    private static string FreePort() => EtcdServer.FreePort().ToString(CultureInfo.InvariantCulture);
}
