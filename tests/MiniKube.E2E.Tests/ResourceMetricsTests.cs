using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>kubectl top</c> against <c>mkube server</c> on the Docker engine: the metrics add-on scrapes
/// the kubelet, whose figures come from the containers' cgroups and the host's /proc, and the API
/// server serves metrics.k8s.io; <c>--disable metrics</c> leaves the API out.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class ResourceMetricsTests : DataDirFixture
{
    private const string Node = "e2e-metrics-node";

    [Test]
    public async Task KubectlTop_DockerNode_RealNodeAndContainerFigures()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        // A busy loop held to a fifth of a core by its limit: the cgroup's CPU counter grows at about 200m.
        var manifest = $"apiVersion: v1\nkind: Pod\nmetadata:\n  name: burn\n  labels: {{app: burn}}\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 1\n  containers:\n  - name: main\n    image: mkube.local/busybox:1\n    imagePullPolicy: Never\n    command: [\"sh\", \"-c\", \"while :; do :; done\"]\n    resources:\n      limits: {{cpu: 200m, memory: 64Mi}}\n";
        var created = await kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
        await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", "burn", "-o", "jsonpath={.status.phase}")).Output == "Running", "the pod runs");

        KubectlResult nodes = null!;
        await WaitAsync(async () => (nodes = await kubectl.RunAsync("top", "nodes")).ExitCode == 0 && nodes.Output.Contains(Node, StringComparison.Ordinal), "kubectl top nodes has figures");
        KubectlResult pods = null!;
        await WaitAsync(async () => (pods = await kubectl.RunAsync("top", "pods", "--containers")).ExitCode == 0 && pods.Output.Contains("burn", StringComparison.Ordinal), "kubectl top pods has figures");
        var selected = await kubectl.RunAsync("top", "pods", "-l", "app=burn");

        // NAME  CPU(cores)  CPU(%)  MEMORY(bytes)  MEMORY(%)
        var node = NodeLine().Match(nodes.Output);
        Assert.That(node.Success, nodes.ToString());
        Assert.That(int.Parse(node.Groups["cpu"].Value, CultureInfo.InvariantCulture), Is.GreaterThan(100), "the node runs at least the busy loop");
        Assert.That(int.Parse(node.Groups["memory"].Value, CultureInfo.InvariantCulture), Is.GreaterThan(50), "the host's working set, in Mi");
        // POD  NAME  CPU(cores)  MEMORY(bytes)
        var container = ContainerLine().Match(pods.Output);
        Assert.That(container.Success, pods.ToString());
        Assert.That(int.Parse(container.Groups["cpu"].Value, CultureInfo.InvariantCulture), Is.InRange(120, 260), pods.ToString());
        Assert.That(selected.Output, Does.Contain("burn"), selected.ToString());
    }

    [Test]
    public async Task KubectlTop_MetricsDisabled_MetricsApiNotAvailable()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--disable-agent", "--disable", "metrics"));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

        var top = await kubectl.RunAsync("top", "nodes");
        var apiServices = await kubectl.RunAsync("get", "apiservices", "-o", "name");

        Assert.That(top.ExitCode, Is.Not.Zero, top.ToString());
        Assert.That(top.Error, Does.Contain("Metrics API not available"), top.ToString());
        Assert.That(apiServices.Output, Does.Not.Contain("metrics.k8s.io"), apiServices.ToString());
    }

    [GeneratedRegex($@"{Node}\s+(?<cpu>\d+)m\s+\d+%\s+(?<memory>\d+)Mi\s+\d+%")]
    private static partial Regex NodeLine();

    [GeneratedRegex(@"burn\s+main\s+(?<cpu>\d+)m\s+\d+Mi")]
    private static partial Regex ContainerLine();
}
