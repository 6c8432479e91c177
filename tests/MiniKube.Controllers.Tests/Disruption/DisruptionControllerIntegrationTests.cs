using k8s;
using k8s.Models;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.Disruption;

[Category("Integration")]
public sealed class DisruptionControllerIntegrationTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web" };

    private static V1PodDisruptionBudget Budget(string name, IntOrString? minAvailable = null, IntOrString? maxUnavailable = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = minAvailable, MaxUnavailable = maxUnavailable, Selector = new V1LabelSelector { MatchLabels = Labels } },
    };

    private static Task<V1PodDisruptionBudgetStatus> StatusAsync(ClusterHarness cluster, string name, Func<V1PodDisruptionBudgetStatus, bool> done, string what) =>
        cluster.EventuallyAsync(async () =>
        {
            var pdb = await cluster.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(name, TestObjects.Namespace);
            return pdb.Status is { } s && s.ObservedGeneration == pdb.Metadata.Generation && done(s) ? s : null;
        }, what);

    [Test]
    public async Task DisruptionsAllowed_FollowsPodReadiness()
    {
        await using var cluster = await ClusterHarness.StartAsync("deployment", "replicaset", "disruption");
        await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec { Replicas = 3, Selector = new V1LabelSelector { MatchLabels = Labels }, Template = TestObjects.Template(Labels) },
        }, TestObjects.Namespace);
        await cluster.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(Budget("min-two", minAvailable: 2), TestObjects.Namespace);
        await cluster.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(Budget("max-one", maxUnavailable: "34%"), TestObjects.Namespace);

        var pods = await cluster.EventuallyAsync(async () => await cluster.PodsAsync("app=web") is { Count: 3 } p ? p : null, "three pods");
        var blocked = await StatusAsync(cluster, "min-two", s => s.ExpectedPods == 3, "min-two to count the pending pods");
        Assert.That((blocked.CurrentHealthy, blocked.DisruptionsAllowed), Is.EqualTo((0, 0)));

        await cluster.StartPendingPodsAsync("app=web");
        var minTwo = await StatusAsync(cluster, "min-two", s => s.CurrentHealthy == 3, "min-two to see three ready pods");
        Assert.That((minTwo.ExpectedPods, minTwo.DesiredHealthy, minTwo.DisruptionsAllowed), Is.EqualTo((3, 2, 1)));
        Assert.That(minTwo.Conditions.Single(c => c.Type == "DisruptionAllowed").Reason, Is.EqualTo("SufficientPods"));
        var maxOne = await StatusAsync(cluster, "max-one", s => s.CurrentHealthy == 3, "max-one to see three ready pods");
        Assert.That((maxOne.ExpectedPods, maxOne.DesiredHealthy, maxOne.DisruptionsAllowed), Is.EqualTo((3, 1, 2)),
            "expected is the Deployment's scale; 34% of 3 rounds up to 2 unavailable");
        var (exit, output) = await Kubectl.RunAsync(cluster.KubeconfigPath, "get", "pdb", "-n", TestObjects.Namespace, "min-two");
        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Match(@"ALLOWED DISRUPTIONS[\s\S]*min-two\s+2\s+N/A\s+1\s"));

        await cluster.SetPhaseAsync(pods[0], "Running", ready: false);
        minTwo = await StatusAsync(cluster, "min-two", s => s.CurrentHealthy == 2, "min-two to see a pod go unready");
        Assert.That(minTwo.DisruptionsAllowed, Is.Zero);
        Assert.That(minTwo.Conditions.Single(c => c.Type == "DisruptionAllowed").Reason, Is.EqualTo("InsufficientPods"));

        await cluster.SetPhaseAsync(pods[0], "Running", ready: true);
        minTwo = await StatusAsync(cluster, "min-two", s => s.CurrentHealthy == 3, "min-two to see the pod ready again");
        Assert.That(minTwo.DisruptionsAllowed, Is.EqualTo(1));
    }
}
