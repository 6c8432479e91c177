using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The horizontal pod autoscaler on Docker with the real kubectl (issue 16 §2's "done when"): a
/// Deployment whose busybox containers burn CPU (100m requested) is scaled out by an
/// autoscaling/v2 HPA reading metrics.k8s.io (the server's own resource metrics, from the
/// kubelet's cgroup figures), and back in once the containers are told to stop burning (a
/// file each checks), after the HPA's short scale-down window. Needs the metrics add-on. On a
/// failure the HPA's description, the events, the pod metrics and the server's log go to the
/// test's output.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class HorizontalPodAutoscalerTests : DataDirFixture
{
    private const string Node = "e2e-hpa-node";

    private const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: burn
        spec:
          replicas: 1
          selector:
            matchLabels: {app: burn}
          template:
            metadata:
              labels: {app: burn}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: burn
                image: mkube.local/busybox:1
                imagePullPolicy: Never
                command: ["sh", "-c", "while [ ! -e /tmp/stop ]; do :; done; while :; do sleep 1; done"]
                resources:
                  requests: {cpu: 100m}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: burn
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burn}
          minReplicas: 1
          maxReplicas: 3
          metrics:
          - type: Resource
            resource:
              name: cpu
              target: {type: Utilization, averageUtilization: 50}
          behavior:
            scaleDown:
              stabilizationWindowSeconds: 10
        """;

    private MkubeProcess? _mkube;
    private Kubectl? _kubectl;

    [Test]
    public async Task Hpa_CpuBurningDeployment_ScalesOutThenBackInWhenTheBurnStops()
    {
        _mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await _mkube.WaitForLogAsync("components are running", DockerNodeStartTimeout);
        var kubectl = _kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.RunAsync("get", "node", Node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True", "the node Ready");

        var applied = await kubectl.RunWithAsync(Manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());
        await kubectl.OkAsync("rollout", "status", "deployment/burn", "--timeout=90s");

        // One busy loop is far above 50 % of 100m: the HPA goes to its maximum, 3.
        await WaitAsync(async () => await kubectl.OkAsync("get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}") == "3", "scaled out to 3", seconds: 240);
        var scaledOut = await kubectl.OkAsync("describe", "hpa", "burn");
        Assert.That(scaledOut, Does.Contain("SuccessfulRescale").And.Contain("New size: 3; reason: cpu resource utilization (percentage of request) above target"), scaledOut);
        var current = await kubectl.OkAsync("get", "hpa", "burn", "-o", "jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}");
        Assert.That(int.Parse(current, CultureInfo.InvariantCulture), Is.GreaterThan(50), "the HPA reports the utilization it scaled on");
        // REPLICAS is status.currentReplicas: as upstream, the sync that scales still reports the old count; a later one shows 3.
        await WaitAsync(async () => HpaRowAtThree().IsMatch(await kubectl.OkAsync("get", "hpa", "burn")), "kubectl get hpa shows 3 replicas", seconds: 60);
        await kubectl.OkAsync("rollout", "status", "deployment/burn", "--timeout=90s");

        // Tell every pod to stop burning, each until its exec succeeded; usage falls to nothing and, after the 10 s window, the HPA goes back to 1.
        var stopped = new HashSet<string>(StringComparer.Ordinal);
        var sinceStop = System.Diagnostics.Stopwatch.StartNew();
        var traced = TimeSpan.Zero;
        await WaitAsync(async () =>
        {
            if (sinceStop.Elapsed >= traced)
            {
                // What the HPA saw on the way down, every 15 s (one sync period), for a run that fails.
                traced += TimeSpan.FromSeconds(15);
                await TestContext.Out.WriteLineAsync($"{sinceStop.Elapsed.TotalSeconds:F0} s after the stop: {(await kubectl.RunAsync("get", "hpa", "burn", "--no-headers")).Output.Trim()}");
            }
            var pods = (await kubectl.OkAsync("get", "pods", "-l", "app=burn", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].metadata.name}"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var pod in pods.Where(p => !stopped.Contains(p)))
            {
                var touched = await kubectl.RunAsync("exec", pod, "--", "touch", "/tmp/stop");
                if (touched.ExitCode == 0)
                {
                    stopped.Add(pod);
                }
                else
                {
                    await TestContext.Progress.WriteLineAsync($"exec in {pod} to stop its burn failed, trying again: {touched}");
                }
            }
            return await kubectl.OkAsync("get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}") == "1";
        }, "scaled back in to 1", seconds: 300);
        var scaledIn = await kubectl.OkAsync("describe", "hpa", "burn");
        Assert.That(scaledIn, Does.Contain("New size: 1; reason: All metrics below target"), scaledIn);
        await WaitAsync(async () => (await kubectl.OkAsync("get", "pods", "-l", "app=burn", "--no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 1, "one pod left");
    }

    /// <summary>Runs before the data dir and containers go: what the HPA, the metrics API and the server saw, for a failed run.</summary>
    [TearDown]
    public async Task DescribeOnFailureAndStop()
    {
        try
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed && _kubectl is { } kubectl && _mkube is { } mkube)
            {
                await DescribeAsync(kubectl, mkube);
            }
        }
        finally
        {
            _mkube?.Dispose();
        }
    }

    private static async Task DescribeAsync(Kubectl kubectl, MkubeProcess mkube)
    {
        var seen = new System.Text.StringBuilder();
        foreach (var args in new[]
        {
            new[] { "describe", "hpa", "burn" },
            ["get", "pods", "-l", "app=burn", "-o", "wide"],
            ["get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"],
            ["get", "events", "--sort-by=.lastTimestamp"],
        })
        {
            seen.Append(CultureInfo.InvariantCulture, $"$ kubectl {string.Join(' ', args)}\n{await kubectl.RunAsync(args)}\n");
        }
        var log = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"hpa-mkube-{DateTime.UtcNow:HHmmss}.log");
        await File.WriteAllLinesAsync(log, mkube.Stderr);
        TestContext.AddTestAttachment(log, "the server's log");
        var notable = mkube.Stderr.Where(l => l.Contains("HorizontalPodAutoscaler", StringComparison.Ordinal) || l.Contains("metrics", StringComparison.OrdinalIgnoreCase) || l.Contains("warn", StringComparison.OrdinalIgnoreCase));
        await TestContext.Out.WriteLineAsync($"{seen}\nthe server's log on the HPA and metrics (all of it in {log}):\n{string.Join('\n', notable.TakeLast(200))}");
    }

    [GeneratedRegex(@"burn\s+Deployment/burn\s+cpu: \d+%/50%\s+1\s+3\s+3")]
    private static partial Regex HpaRowAtThree();
}
