namespace MiniKube.E2E.Tests;

/// <summary>
/// Every step of the day-one examples (examples/ at the repository root), with the real
/// kubectl against the published server: once on simulated nodes, once on the real Docker
/// engine through the server's own agent.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class ExamplesTests : DataDirFixture
{
    private static readonly string Examples = Path.Combine(TestContext.CurrentContext.TestDirectory, "Examples");

    [Test]
    public Task Examples_OnSimulatedNodes_WorkAsWritten() =>
        RunExamplesAsync(docker: false, "--runtime", "simulated", "--node-name", "main", "--simulate-nodes", "2");

    [Test]
    public Task Examples_OnDocker_WorkAsWritten() =>
        RunExamplesAsync(docker: true, "--node-name", "e2e-examples");

    private async Task RunExamplesAsync(bool docker, params string[] flags)
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, flags));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        var nodes = docker ? 1 : 3;
        await WaitAsync(async () => Count(await kubectl.OkAsync("get", "nodes", "--no-headers"), " Ready ") == nodes, "nodes Ready");

        // kubectl apply -f web.yaml; kubectl rollout status deployment/web --timeout=60s
        await kubectl.OkAsync("apply", "-f", Manifest("web.yaml"));
        await RolledOutAsync(kubectl);
        var pods = await kubectl.OkAsync("get", "pods", "-l", "app=web", "-o", "wide", "--no-headers");
        Assert.That(Count(pods, " 1/1 ") + Count(pods, "Running"), Is.EqualTo(6), pods);
        Assert.That(pods, Does.Match(@"\d+\.\d+\.\d+\.\d+"), "pod IPs are shown");

        // kubectl logs deployment/web; kubectl exec deploy/web -- cat /etc/app/greeting
        var logs = await kubectl.OkAsync("logs", "deployment/web");
        Assert.That(logs, docker ? Is.EqualTo("serving\n") : Is.Not.Empty);
        var greeting = await kubectl.OkAsync("exec", "deploy/web", "--", "cat", "/etc/app/greeting");
        if (docker)
        {
            Assert.That(greeting, Is.EqualTo("hello from a configmap"));
        }

        // kubectl scale deployment/web --replicas=5
        await kubectl.OkAsync("scale", "deployment/web", "--replicas=5");
        await RolledOutAsync(kubectl);
        await WaitAsync(async () => Count(await kubectl.OkAsync("get", "pods", "-l", "app=web", "--no-headers"), "Running") == 5, "5 web pods Running");

        // kubectl set image …; kubectl rollout undo
        await kubectl.OkAsync("set", "image", "deployment/web", "httpd=mkube.local/busybox:2");
        await RolledOutAsync(kubectl);
        // The old pods may still be terminating (their grace period) when the rollout is done.
        await WaitAsync(async () => !(await kubectl.OkAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}")).Contains("busybox:1", StringComparison.Ordinal), "rolled to busybox:2");
        await kubectl.OkAsync("rollout", "undo", "deployment/web");
        await RolledOutAsync(kubectl);
        await WaitAsync(async () => !(await kubectl.OkAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}")).Contains("busybox:2", StringComparison.Ordinal), "rolled back to busybox:1");

        // kubectl get endpoints web: ready pod IPs only
        await WaitAsync(async () => Count(await kubectl.OkAsync("get", "endpoints", "web", "-o", "jsonpath={.subsets[*].addresses[*].ip}"), ".") == 5 * 3, "5 ready addresses");

        // kubectl apply -f job.yaml && kubectl wait --for=condition=complete job/pi --timeout=60s
        await kubectl.OkAsync("apply", "-f", Manifest("job.yaml"));
        await kubectl.OkAsync("wait", "--for=condition=complete", "job/pi", "--timeout=85s");

        // kubectl apply -f daemonset.yaml: one pod per Ready node
        await kubectl.OkAsync("apply", "-f", Manifest("daemonset.yaml"));
        await WaitAsync(async () => Count(await kubectl.OkAsync("get", "pods", "-l", "app=node-agent", "--no-headers"), "Running") == nodes, "a node-agent pod per node");

        // kubectl apply -f statefulset.yaml: db-0, db-1 in order, each with its own volume
        await kubectl.OkAsync("apply", "-f", Manifest("statefulset.yaml"));
        await WaitAsync(async () => Count(await kubectl.OkAsync("get", "pods", "-l", "app=db", "--no-headers"), "Running") == 2, "db-0 and db-1 Running");
        var created = await kubectl.OkAsync("get", "pods", "db-0", "db-1", "-o", "jsonpath={.items[*].metadata.creationTimestamp}");
        Assert.That(string.CompareOrdinal(created.Split(' ')[0], created.Split(' ')[1]), Is.LessThanOrEqualTo(0), "db-0 was made first");
        Assert.That(await kubectl.OkAsync("get", "pvc", "data-db-0", "data-db-1", "-o", "jsonpath={.items[*].status.phase}"), Is.EqualTo("Bound Bound"));
        if (docker)
        {
            Assert.That(await kubectl.OkAsync("logs", "db-1"), Is.EqualTo("db-1\n"), "db-1 writes into a volume of its own");
        }

        // kubectl delete -f web.yaml: pods, replica sets and containers all go
        await kubectl.OkAsync("delete", "-f", Manifest("web.yaml"));
        await WaitAsync(async () => (await kubectl.OkAsync("get", "rs,pods", "-l", "app=web", "--no-headers", "--ignore-not-found")).Trim().Length == 0, "web's replica sets and pods gone");
    }

    /// <summary>
    /// kubectl rollout status with the examples' 60 s, then twice more: on a loaded 2-core CI
    /// machine a rolling update of five Docker pods has taken longer (see README). A slow
    /// rollout prints what the pods and events showed, for whoever reads the run.
    /// </summary>
    private static async Task RolledOutAsync(Kubectl kubectl)
    {
        var result = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=60s");
        for (var retry = 0; result.ExitCode != 0 && retry < 2; retry++)
        {
            var pods = await kubectl.RunAsync("get", "pods", "-o", "wide");
            var events = await kubectl.RunAsync("get", "events", "--sort-by=.lastTimestamp");
            await TestContext.Progress.WriteLineAsync($"rollout not done within 60 s:\n{result}\n{pods}\n{events}");
            result = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=80s");
        }
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    private static string Manifest(string name) => Path.Combine(Examples, name);

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
