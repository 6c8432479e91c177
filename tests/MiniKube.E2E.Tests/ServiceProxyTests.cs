using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Services routed by the local agent's service proxy (iptables, as kube-proxy does) to pods on
/// the real Docker engine: through a node port from outside the pods, through the cluster IP
/// and by name (the cluster DNS) from inside one, and a deleted Service's chains removed.
/// Needs root, iptables and dockerd.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class ServiceProxyTests : DataDirFixture
{
    private const string Node = "e2e-proxy";

    private static readonly string Manifest = HttpdPods.Deployment("web", 2, "hello from $HOSTNAME") + """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http}
        """;

    [Test]
    public async Task NodePortClusterIpAndName_ReachThePods_AndDeletingTheServiceRemovesItsChain()
    {
        Assert.That(Environment.IsPrivilegedProcess, "the service proxy needs root, as scripts/test runs");
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "node", Node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True");

        var applied = await kubectl.RunWithAsync(Manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
        await WaitAsync(async () => (await kubectl.RunAsync("get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}")).Output == "2");
        var pods = (await kubectl.OkAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")).Split(' ');
        var nodeIp = await kubectl.OkAsync("get", "node", Node, "-o", "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");
        var nodePort = await kubectl.OkAsync("get", "service", "web", "-o", "jsonpath={.spec.ports[0].nodePort}");
        var clusterIp = await kubectl.OkAsync("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");

        // (1) From this process, through the node port: both pods answer, the spread is random.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answered = new HashSet<string>(StringComparer.Ordinal);
        await WaitAsync(async () =>
        {
            try
            {
                answered.Add((await http.GetStringAsync(new Uri($"http://{nodeIp}:{nodePort}/"))).Trim());
            }
            catch (HttpRequestException)
            {
                // The proxy syncs at most once a second: the rules may not be written yet.
            }
            catch (TaskCanceledException)
            {
                // Same: connection not routed yet.
            }
            return answered.Count == 2;
        });
        Assert.That(answered, Is.EquivalentTo(pods.Select(p => "hello from " + p)));

        // (2) From inside a pod, through the cluster IP: exec always picks the same pod, so an answer
        // from it is hairpin traffic (a pod calling its own service), from the other a plain DNAT.
        // timeout, not wget -T: this busybox's wget crashes (exit 139) when given -T.
        var fromInside = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20 && fromInside.Count < 2; i++)
        {
            var fetched = await kubectl.RunAsync("exec", "deploy/web", "--", "timeout", "10", "wget", "-qO-", $"http://{clusterIp}:80");
            Assert.That(fetched.ExitCode, Is.Zero, fetched.ToString());
            fromInside.Add(fetched.Output.Trim());
        }
        Assert.That(fromInside, Is.EquivalentTo(pods.Select(p => "hello from " + p)));

        // (2b) By name, through the cluster DNS (kube-dns at 10.43.0.10, itself behind the proxy).
        var byName = await kubectl.RunAsync("exec", "deploy/web", "--", "timeout", "10", "wget", "-qO-", "http://web/");
        Assert.That(byName.ExitCode, Is.Zero, byName.ToString());
        Assert.That(pods.Select(p => "hello from " + p), Does.Contain(byName.Output.Trim()));
        var lookup = await kubectl.RunAsync("exec", "deploy/web", "--", "nslookup", "web.default.svc.cluster.local");
        Assert.That(lookup.Output, Does.Contain($"Address: {clusterIp}"), lookup.ToString());

        // (2c) In-cluster clients find the API server as upstream's kubelet tells them.
        var api = await kubectl.OkAsync("exec", "deploy/web", "--", "sh", "-c", "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT");
        Assert.That(api.Trim(), Is.EqualTo("10.43.0.1:443"));

        // (3) Deleting the Service removes its chains; the fixed chains stay.
        var chains = ServiceChain().Matches(await NatRulesAsync()).Select(m => m.Value).Distinct().ToList();
        var clusterRule = (await NatRulesAsync()).Split('\n').Single(l => l.Contains($"-d {clusterIp}/32", StringComparison.Ordinal));
        var serviceChain = ServiceChain().Match(clusterRule).Value;
        Assert.That(chains, Does.Contain(serviceChain));
        var deleted = await kubectl.RunAsync("delete", "service", "web");
        Assert.That(deleted.ExitCode, Is.Zero, deleted.ToString());
        await WaitAsync(async () => !(await NatRulesAsync()).Contains(serviceChain, StringComparison.Ordinal));
        var after = await NatRulesAsync();
        Assert.That(after, Does.Contain(":MKUBE-SERVICES").And.Not.Contain($"-d {clusterIp}/32"));
        Assert.That(after, Does.Contain("-A PREROUTING -m comment --comment \"mkube service portals\" -j MKUBE-SERVICES"));
    }

    [GeneratedRegex("MKUBE-SVC-[A-Z2-7]{16}")]
    private static partial Regex ServiceChain();

    private static async Task<string> NatRulesAsync()
    {
        using var save = Process.Start(new ProcessStartInfo("iptables-save", ["-t", "nat"]) { RedirectStandardOutput = true })!;
        var output = await save.StandardOutput.ReadToEndAsync();
        await save.WaitForExitAsync();
        return output;
    }
}
