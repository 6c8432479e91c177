namespace MiniKube.E2E.Tests;

/// <summary>
/// kubectl cordon and drain with a PodDisruptionBudget, against the published server with
/// simulated nodes: the disruption controller keeps the budget's status, eviction honours it,
/// and the Deployment's replacements land on the other nodes.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class DrainTests : DataDirFixture
{
    [Test]
    public async Task Drain_BudgetAllowsNoDisruption_RefusedUntilTheBudgetIsRelaxed()
    {
        using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--runtime", "simulated", "--node-name", "main", "--simulate-nodes", "2"));
        await mkube.WaitForLogAsync("components are running", StartTimeout);
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
        await WaitAsync(async () => (await kubectl.OkAsync("get", "nodes", "--no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(" Ready ", StringComparison.Ordinal)) == 3, "3 nodes Ready");
        await kubectl.OkAsync("create", "deployment", "web", "--image=mkube.local/busybox:1", "--replicas=3", "--", "sleep", "3600");
        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=60s");
        await kubectl.OkAsync("create", "pdb", "web", "--selector=app=web", "--min-available=3");
        await WaitAsync(async () => await kubectl.OkAsync("get", "pdb", "web", "-o", "jsonpath={.status.observedGeneration}/{.status.currentHealthy}/{.status.disruptionsAllowed}") == "1/3/0", "the budget's status");
        var node = (await kubectl.OkAsync("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].spec.nodeName}")).Trim();

        var refused = await kubectl.RunAsync("drain", node, "--ignore-daemonsets", "--timeout=8s");

        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        Assert.That(refused.Error + refused.Output, Does.Contain("Cannot evict pod as it would violate the pod's disruption budget"));
        Assert.That(await kubectl.OkAsync("get", "node", node, "-o", "jsonpath={.spec.unschedulable}"), Is.EqualTo("true"), "drain cordons first");
        Assert.That(await OnNodeAsync(kubectl, node), Is.Not.Zero, "the budget kept the pods");

        await kubectl.OkAsync("patch", "pdb", "web", "--type=merge", "-p", """{"spec":{"minAvailable":2}}""");
        await kubectl.OkAsync("drain", node, "--ignore-daemonsets", "--timeout=60s");

        Assert.That(await OnNodeAsync(kubectl, node), Is.Zero);
        await kubectl.OkAsync("rollout", "status", "deployment/web", "--timeout=60s");
        await WaitAsync(async () => await kubectl.OkAsync("get", "pdb", "web", "-o", "jsonpath={.status.currentHealthy}") == "3", "3 healthy again, on the other nodes");
        await kubectl.OkAsync("uncordon", node);
        Assert.That(await kubectl.OkAsync("get", "node", node, "-o", "jsonpath={.spec.unschedulable}"), Is.Empty);
    }

    private static async Task<int> OnNodeAsync(Kubectl kubectl, string node) =>
        (await kubectl.OkAsync("get", "pods", "-l", "app=web", "--field-selector", $"spec.nodeName={node}", "--no-headers", "--ignore-not-found"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.Contains("Terminating", StringComparison.Ordinal));
}
