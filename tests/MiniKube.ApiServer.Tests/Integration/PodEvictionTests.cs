using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// pods/eviction with PodDisruptionBudgets, through the official client. No disruption
/// controller runs here: each test writes the budget's status as that controller would.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PodEvictionTests : ApiServerFixture
{
    private const string Ns = "default";

    [Test]
    public async Task Evict_NoBudget_DeletesThePodWithTheDisruptionTargetCondition()
    {
        await RunningPodAsync("free", ready: true, nodeName: "node1");

        await EvictAsync("free");

        var pod = await Client.CoreV1.ReadNamespacedPodAsync("free", Ns);
        Assert.That(pod.Metadata.DeletionTimestamp, Is.Not.Null, "a pod on a node is deleted gracefully");
        var target = pod.Status.Conditions.Single(c => c.Type == "DisruptionTarget");
        Assert.That((target.Status, target.Reason, target.Message), Is.EqualTo(("True", "EvictionByEvictionAPI", "Eviction API: evicting")));
    }

    [Test]
    public async Task Evict_BudgetAllowsNone_Gets429WithTheBudgetCauseAndKeepsThePod()
    {
        await RunningPodAsync("web-1", ready: true);
        await BudgetAsync("web", allowed: 0, desired: 1, current: 1);

        var error = Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync("web-1"));

        Assert.That(error.Response.StatusCode, Is.EqualTo((HttpStatusCode)429));
        using var status = JsonDocument.Parse(error.Response.Content);
        Assert.That(status.RootElement.GetProperty("reason").GetString(), Is.EqualTo("TooManyRequests"));
        Assert.That(status.RootElement.GetProperty("message").GetString(), Is.EqualTo("Cannot evict pod as it would violate the pod's disruption budget."));
        var cause = status.RootElement.GetProperty("details").GetProperty("causes")[0];
        Assert.That(cause.GetProperty("reason").GetString(), Is.EqualTo("DisruptionBudget"));
        Assert.That(cause.GetProperty("message").GetString(), Is.EqualTo("The disruption budget web needs 1 healthy pods and has 1 currently"));
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web-1", Ns);
        Assert.That(pod.Metadata.DeletionTimestamp, Is.Null);
    }

    [Test]
    public async Task Evict_BudgetAllowsOne_TakesItAndRecordsThePod()
    {
        await RunningPodAsync("web-1", ready: true);
        await RunningPodAsync("web-2", ready: true);
        await BudgetAsync("web", allowed: 1, desired: 1, current: 2);

        await EvictAsync("web-1");
        var second = Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync("web-2"));

        var budget = await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns);
        Assert.That(budget.Status.DisruptionsAllowed, Is.Zero);
        Assert.That(budget.Status.DisruptedPods.Keys, Is.EqualTo(new[] { "web-1" }));
        Assert.That(budget.Status.Conditions.Single(c => c.Type == "DisruptionAllowed").Status, Is.EqualTo("False"));
        Assert.That(second.Response.StatusCode, Is.EqualTo((HttpStatusCode)429), "the one disruption is spent");
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "web-2" }));
    }

    [Test]
    public async Task Evict_WhileTheBudgetStatusIsRewritten_TakesADisruptionEachWithoutConflicts()
    {
        var names = Enumerable.Range(1, 8).Select(i => $"web-{i}").ToArray();
        foreach (var name in names)
        {
            await RunningPodAsync(name, ready: true);
        }
        await BudgetAsync("web", allowed: names.Length, desired: 0, current: names.Length);
        using var stop = new CancellationTokenSource();
        // Another writer of the status, as the disruption controller is during a drain.
        var rewriter = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var patch = new V1Patch("{\"status\":{\"expectedPods\":" + (100 + (i % 2)) + "}}", V1Patch.PatchType.MergePatch);
                await Client.PolicyV1.PatchNamespacedPodDisruptionBudgetStatusAsync(patch, "web", Ns);
            }
        });

        foreach (var name in names)
        {
            await EvictAsync(name);
        }
        await stop.CancelAsync();
        await rewriter;

        var budget = await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns);
        Assert.That(budget.Status.DisruptionsAllowed, Is.Zero);
        Assert.That(budget.Status.DisruptedPods.Keys, Is.EquivalentTo(names));
    }

    [Test]
    public async Task Evict_StaleBudgetStatus_Gets429StillBeingProcessed()
    {
        await RunningPodAsync("web-1", ready: true);
        await BudgetAsync("web", allowed: 5, desired: 1, current: 6, observedGeneration: 0);

        var error = Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync("web-1"));

        Assert.That(error.Response.StatusCode, Is.EqualTo((HttpStatusCode)429));
        Assert.That(error.Response.Content, Does.Contain("The disruption budget web is still being processed by the server."));
    }

    [Test]
    public async Task Evict_UnreadyPodWhileTheOthersKeepTheBudget_GoesWithoutTakingADisruption()
    {
        await RunningPodAsync("web-1", ready: false);
        await BudgetAsync("web", allowed: 0, desired: 2, current: 2);

        await EvictAsync("web-1");

        var budget = await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns);
        Assert.That(budget.Status.DisruptionsAllowed, Is.Zero);
        Assert.That(budget.Status.DisruptedPods, Is.Null.Or.Empty);
        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items, Is.Empty);
    }

    [Test]
    public async Task Evict_PendingPod_IgnoresTheBudget()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("web-1"), Ns);
        await BudgetAsync("web", allowed: 0, desired: 1, current: 0);

        await EvictAsync("web-1");

        Assert.That((await Client.CoreV1.ListNamespacedPodAsync(Ns)).Items, Is.Empty);
    }

    [Test]
    public async Task Evict_TwoBudgetsCoverThePod_Gets500()
    {
        await RunningPodAsync("web-1", ready: true);
        await BudgetAsync("web", allowed: 1, desired: 0, current: 1);
        await BudgetAsync("everything", allowed: 1, desired: 0, current: 1, selector: new V1LabelSelector());

        var error = Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync("web-1"));

        Assert.That(error.Response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
        Assert.That(error.Response.Content, Does.Contain("This pod has more than one PodDisruptionBudget"));
    }

    [Test]
    public async Task Evict_DryRun_ChangesNothing()
    {
        await RunningPodAsync("web-1", ready: true);
        await BudgetAsync("web", allowed: 1, desired: 0, current: 1);

        await Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = "web-1" }, DeleteOptions = new V1DeleteOptions { DryRun = ["All"] } }, "web-1", Ns);

        var budget = await Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", Ns);
        Assert.That(budget.Status.DisruptionsAllowed, Is.EqualTo(1));
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("web-1", Ns);
        Assert.That(pod.Metadata.DeletionTimestamp, Is.Null);
        Assert.That(pod.Status.Conditions.Any(c => c.Type == "DisruptionTarget"), Is.False);
    }

    [Test]
    public async Task Evict_NameDiffersFromTheUrl_Gets400()
    {
        await RunningPodAsync("web-1", ready: true);

        var error = Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = "other" } }, "web-1", Ns));

        Assert.That(error.Response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Response.Content, Does.Contain("name in URL does not match name in Eviction object"));
    }

    private Task<V1Eviction> EvictAsync(string name) =>
        Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns } }, name, Ns);

    private static V1Pod Pod(string name, string? nodeName = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec { NodeName = nodeName, Containers = [new V1Container { Name = "main", Image = "busybox" }] },
    };

    private async Task RunningPodAsync(string name, bool ready, string? nodeName = null)
    {
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Pod(name, nodeName), Ns);
        pod.Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        };
        await Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, name, Ns);
    }

    private async Task BudgetAsync(string name, int allowed, int desired, int current, long observedGeneration = 1, V1LabelSelector? selector = null)
    {
        var budget = await Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = desired,
                Selector = selector ?? new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            },
        }, Ns);
        budget.Status = new V1PodDisruptionBudgetStatus
        {
            DisruptionsAllowed = allowed,
            DesiredHealthy = desired,
            CurrentHealthy = current,
            ExpectedPods = current,
            ObservedGeneration = observedGeneration,
        };
        await Client.PolicyV1.ReplaceNamespacedPodDisruptionBudgetStatusAsync(budget, name, Ns);
    }
}
