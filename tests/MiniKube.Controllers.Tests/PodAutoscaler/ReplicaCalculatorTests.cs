using k8s.Models;
using MiniKube.Controllers.PodAutoscaler;

namespace MiniKube.Controllers.Tests.PodAutoscaler;

/// <summary>
/// The replica arithmetic, table-driven with the cases of upstream's replica_calculator_test.go
/// (their tolerance 0.1, CPU initialization period 2 min, readiness delay 10 s): pods named
/// test-pod-N with two containers that each request the case's amount, and per-pod metrics that
/// sum both containers (or one container's, for container metrics). A pod without a start time
/// given started long ago; "hot" pods started a minute ago, "cool" ones three.
/// </summary>
public sealed class ReplicaCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Tolerances Default = new(0.1, 0.1);
    private static readonly ReplicaCalculator Calculator = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
    private static readonly DateTime Hot = Now.AddMinutes(-1).UtcDateTime;
    private static readonly DateTime Cool = Now.AddMinutes(-3).UtcDateTime;

    /// <summary>One upstream case: pods' readiness, phase, start and deletion, each pod's request (cores), metric levels in millicores per pod, and the expectations.</summary>
    public sealed record Case(
        string Name, int Current, int Expected, double[] Requests, long[] Levels, int Target, int ExpectedUtilization, long ExpectedValue,
        string[]? Readiness = null, string[]? Phases = null, DateTime[]? Starts = null, bool[]? Deleting = null, string[]? MetricPods = null)
    {
        public override string ToString() => Name;
    }

    // Upstream's levels are per container, two containers per pod: pod usage here is twice the level, requests likewise.
    private static Case C(string name, int current, int expected, double[] requests, long[] levels, int target, int utilization, long value,
        string[]? readiness = null, string[]? phases = null, DateTime[]? starts = null, bool[]? deleting = null) =>
        new(name, current, expected, requests, [.. levels.Select(l => l * 2)], target, utilization, value, readiness, phases, starts, deleting);

    private static readonly double[] Three = [1, 1, 1];
    private static readonly double[] Five = [1, 1, 1, 1, 1];

    public static IEnumerable<Case> UtilizationCases() =>
    [
        C("ScaleUp", 3, 5, Three, [300, 500, 700], 30, 50, 2 * 500),
        C("ScaleUpUnreadyLessScale", 3, 4, Three, [300, 500, 700], 30, 60, 2 * 600, readiness: ["False", "True", "True"]),
        C("ScaleUpHotCpuLessScale", 3, 4, Three, [300, 500, 700], 30, 60, 2 * 600, starts: [Hot, Cool, Cool]),
        C("ScaleUpUnreadyNoScale", 3, 3, Three, [400, 500, 700], 30, 40, 2 * 400, readiness: ["True", "False", "False"]),
        C("ScaleHotCpuNoScale", 3, 3, Three, [400, 500, 700], 30, 40, 2 * 400, readiness: ["True", "False", "False"], starts: [Cool, Hot, Hot]),
        C("ScaleUpIgnoresFailedPods", 2, 4, [1, 1, 1, 1], [500, 700], 30, 60, 2 * 600,
            readiness: ["True", "True", "False", "False"], phases: ["Running", "Running", "Failed", "Failed"]),
        C("ScaleUpIgnoresDeletionPods", 2, 4, [1, 1, 1, 1], [500, 700], 30, 60, 2 * 600,
            readiness: ["True", "True", "False", "False"], deleting: [false, false, true, true]),
        C("ScaleDown", 5, 3, Five, [100, 300, 500, 250, 250], 50, 28, 2 * 280),
        C("ScaleDownExcludeUnreadyPods", 5, 2, Five, [100, 300, 500, 250, 250], 50, 30, 2 * 300, readiness: ["True", "True", "True", "False", "False"]),
        C("ScaleDownExcludeUnscheduledPods", 5, 1, Five, [100], 50, 10, 2 * 100,
            readiness: ["True", "False", "False", "False", "False"], phases: ["Running", "Pending", "Pending", "Pending", "Pending"]),
        C("ScaleDownIgnoreHotCpuPods", 5, 2, Five, [100, 300, 500, 250, 250], 50, 30, 2 * 300, starts: [Cool, Cool, Cool, Hot, Hot]),
        C("ScaleDownIgnoresFailedPods", 5, 3, [1, 1, 1, 1, 1, 1, 1], [100, 300, 500, 250, 250], 50, 28, 2 * 280,
            readiness: ["True", "True", "True", "True", "True", "False", "False"], phases: ["Running", "Running", "Running", "Running", "Running", "Failed", "Failed"]),
        C("ScaleDownIgnoresDeletionPods", 5, 3, [1, 1, 1, 1, 1, 1, 1], [100, 300, 500, 250, 250], 50, 28, 2 * 280,
            readiness: ["True", "True", "True", "True", "True", "False", "False"], deleting: [false, false, false, false, false, true, true]),
        C("Tolerance", 3, 3, [0.9, 1.0, 1.1], [1010, 1030, 1020], 100, 102, 2 * 1020),
        C("SuperfluousMetrics", 4, 24, [1, 1, 1, 1], [4000, 9500, 3000, 7000, 3200, 2000], 100, 587, 2 * 5875),
        C("MissingMetrics", 4, 3, [1, 1, 1, 1], [400, 95], 100, 24, 495),
        C("MissingMetricsNoChangeEq", 2, 2, [1, 1], [1000], 100, 100, 2 * 1000),
        C("MissingMetricsNoChangeGt", 2, 2, [1, 1], [1900], 100, 190, 2 * 1900),
        C("MissingMetricsNoChangeLt", 2, 2, [1, 1], [600], 100, 60, 2 * 600),
        C("MissingMetricsUnreadyChange", 3, 3, Three, [100, 450], 50, 45, 2 * 450, readiness: ["False", "True", "True"]),
        C("MissingMetricsHotCpuNoChange", 3, 3, Three, [100, 450], 50, 45, 2 * 450, starts: [Hot, Cool, Cool]),
        C("MissingMetricsUnreadyScaleUp", 3, 4, Three, [100, 2000], 50, 200, 2 * 2000, readiness: ["False", "True", "True"]),
        C("MissingMetricsHotCpuScaleUp", 3, 4, Three, [100, 2000], 50, 200, 2 * 2000, readiness: ["False", "True", "True"], starts: [Hot, Cool, Cool]),
        C("MissingMetricsUnreadyScaleDown", 4, 3, [1, 1, 1, 1], [100, 100, 100], 50, 10, 2 * 100, readiness: ["False", "True", "True", "True"]),
        C("MissingMetricsScaleDownTargetOver100", 4, 2, [1, 1, 2, 2], [200, 100, 100], 300, 6, 2 * 100, readiness: ["False", "True", "True", "True"]),
        C("DuringRollingUpdateWithMaxSurge", 2, 2, Three, [100, 100], 50, 10, 2 * 100, phases: ["Running", "Running", "Running"]),
    ];

    [TestCaseSource(nameof(UtilizationCases))]
    public void ForUtilization_UpstreamCase_GivesUpstreamReplicasAndUsage(Case c)
    {
        var (pods, metrics) = World(c);

        var proposal = Calculator.ForUtilization(c.Current, c.Target, "cpu", "", Default, pods, metrics, Now);

        Assert.That(proposal, Is.EqualTo(new ResourceProposal(c.Expected, c.ExpectedUtilization, c.ExpectedValue)));
    }

    [Test]
    public void ForUtilization_ContainerMetric_UsesThatContainersRequest()
    {
        // Upstream's ContainerScaleUp: container2 uses 300/500/700m of its 1-core request, container1 (ignored) a full core.
        var c = new Case("ContainerScaleUp", 3, 5, Three, [300, 500, 700], 30, 50, 500);
        var (pods, metrics) = World(c);

        var proposal = Calculator.ForUtilization(3, 30, "cpu", "container2", Default, pods, metrics, Now);

        Assert.That(proposal, Is.EqualTo(new ResourceProposal(5, 50, 500)));
    }

    [Test]
    public void ForUtilization_ComputedTolerance_ScalesJustOutsideAndHoldsJustInside()
    {
        // Upstream's TestReplicaCalcComputedToleranceAlgImplementation: 10 pods using 150m of ~300m, a target just past the tolerance.
        var requests = new[] { 400, 200, 310, 290, 302, 298, 301, 299, 300, 300 }.Select(m => m / 1000.0).ToArray();
        var c = new Case("ComputedTolerance", 10, 0, requests, [.. Enumerable.Repeat(2 * 150L, 10)], 0, 0, 0);
        var (pods, metrics) = World(c);
        var outside = (int)((Math.Abs(1 / (2.0 * (1 - 0.1))) + .01) * 100);
        var inside = (int)((Math.Abs(1 / (2.0 * (1 - 0.1))) + .004) * 100);
        var expected = (int)Math.Ceiling(1500.0 / (3000.0 * ((Math.Abs(1 / (2.0 * (1 - 0.1))) + .01))) * 10);

        Assert.That(Calculator.ForUtilization(10, outside, "cpu", "", Default, pods, metrics, Now), Is.EqualTo(new ResourceProposal(expected, 50, 2 * 150)));
        Assert.That(Calculator.ForUtilization(10, inside, "cpu", "", Default, pods, metrics, Now).Replicas, Is.EqualTo(10));
    }

    [Test]
    public void ForUtilization_MetricsOfOtherPodsOnly_IsUpstreamsError()
    {
        var c = new Case("Disjoint", 1, 0, [1], [200], 100, 0, 0, MetricPods: ["an-older-pod-name"]);
        var (pods, metrics) = World(c);

        var error = Assert.Throws<AutoscalerException>(() => Calculator.ForUtilization(1, 100, "cpu", "", Default, pods, metrics, Now));

        Assert.That(error!.Message, Is.EqualTo("no metrics returned matched known pods"));
    }

    [Test]
    public void ForUtilization_ContainerWithoutRequest_IsUpstreamsError()
    {
        var c = new Case("EmptyCPURequest", 1, 0, [], [400], 100, 0, 0);
        var (pods, metrics) = World(c);

        var error = Assert.Throws<AutoscalerException>(() => Calculator.ForUtilization(1, 100, "cpu", "", Default, pods, metrics, Now));

        Assert.That(error!.Message, Is.EqualTo("missing request for cpu in container container1 of Pod test-pod-0"));
    }

    [Test]
    public void ForUtilization_OnlyUnreadyPods_IsUpstreamsError()
    {
        var c = new Case("AllPending", 2, 0, [1, 1], [100, 100], 50, 0, 0, Phases: ["Pending", "Pending"]);
        var (pods, metrics) = World(c);

        var error = Assert.Throws<AutoscalerException>(() => Calculator.ForUtilization(2, 50, "cpu", "", Default, pods, metrics, Now));

        Assert.That(error!.Message, Is.EqualTo("did not receive metrics for targeted pods (pods might be unready)"));
    }

    [Test]
    public void ForUtilization_NoPods_IsUpstreamsError()
    {
        var error = Assert.Throws<AutoscalerException>(() => Calculator.ForUtilization(1, 50, "cpu", "", Default, [], new Dictionary<string, PodMetric>(), Now));

        Assert.That(error!.Message, Is.EqualTo("no pods returned by selector while calculating replica count"));
    }

    [Test]
    public void ForUtilization_Memory_CountsUnreadyPodsThatHaveMetrics()
    {
        // Readiness matters for CPU only (groupPods): an unready pod's memory counts. Each pod requests 2 × 1000m.
        var c = new Case("Memory", 2, 4, [1, 1], [4000, 4000], 100, 200, 4000, Readiness: ["False", "True"]);
        var (pods, metrics) = World(c);

        var proposal = Calculator.ForUtilization(2, 100, "memory", "", Default, pods, metrics, Now);

        Assert.That(proposal, Is.EqualTo(new ResourceProposal(4, 200, 4000)));
    }

    public static IEnumerable<TestCaseData> AverageValueCases() =>
    [
        // Upstream's CM cases, where pod metrics are averaged against a per-pod target (calcPlainMetricReplicas).
        new TestCaseData(3, new long[] { 20000, 10000, 30000 }, 15000L, null, 4, 20000L).SetName("AverageValue_ScaleUp"),
        new TestCaseData(5, new long[] { 12000, 12000, 12000, 12000, 12000 }, 20000L, null, 3, 12000L).SetName("AverageValue_ScaleDown"),
        new TestCaseData(3, new long[] { 20000, 21000, 21000 }, 20000L, null, 3, 20666L).SetName("AverageValue_Tolerance"),
        new TestCaseData(5, new long[] { 20000, 19000, 21000 }, 20000L, null, 5, 20000L).SetName("AverageValue_MissingMetricsNoChangeEq"),
        new TestCaseData(2, new long[] { 10000, 10000 }, 17000L, new[] { "Running", "Running", "Running" }, 2, 10000L).SetName("AverageValue_DuringRollingUpdateWithMaxSurge"),
    ];

    [TestCaseSource(nameof(AverageValueCases))]
    public void ForAverageValue_UpstreamCase(int current, long[] levels, long target, string[]? phases, int expected, long expectedUsage)
    {
        var c = new Case("", current, expected, [.. Enumerable.Repeat(1.0, Math.Max(current, phases?.Length ?? 0))], levels, 0, 0, 0, Phases: phases);
        var (pods, metrics) = World(c);

        var proposal = Calculator.ForAverageValue(current, target, "memory", Default, pods, metrics, Now);

        Assert.That(proposal, Is.EqualTo(new ResourceProposal(expected, 0, expectedUsage)));
    }

    [Test]
    public void Tolerances_FromBehavior_WidenOneSideOnly()
    {
        var (pods, metrics) = World(new Case("", 4, 0, [1, 1, 1, 1], [2600, 2600, 2600, 2600], 0, 0, 0));

        // 130 % of a 100 % target: outside the default 10 %, inside a scale-up tolerance of 50 %.
        Assert.That(Calculator.ForUtilization(4, 100, "memory", "", Default, pods, metrics, Now).Replicas, Is.EqualTo(6));
        Assert.That(Calculator.ForUtilization(4, 100, "memory", "", new Tolerances(0.1, 0.5), pods, metrics, Now).Replicas, Is.EqualTo(4));
    }

    /// <summary>The pods and per-pod metrics of a case; metrics are for test-pod-0.. in order (or the case's own names), timestamped at the epoch as upstream's fake.</summary>
    private static (List<V1Pod> Pods, Dictionary<string, PodMetric> Metrics) World(Case c)
    {
        var count = Math.Max(c.Current, c.Phases?.Length ?? 0);
        var pods = new List<V1Pod>();
        for (var i = 0; i < count; i++)
        {
            var containers = new List<V1Container> { new() { Name = "container1" }, new() { Name = "container2" } };
            if (i < c.Requests.Length)
            {
                foreach (var container in containers)
                {
                    container.Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new($"{c.Requests[i] * 1000}m"), ["memory"] = new($"{c.Requests[i] * 1000}m") } };
                }
            }
            pods.Add(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = $"test-pod-{i}", NamespaceProperty = "test-namespace", DeletionTimestamp = c.Deleting?[i] == true ? Now.UtcDateTime : null },
                Spec = new V1PodSpec { Containers = containers },
                Status = new V1PodStatus
                {
                    Phase = c.Phases?[i] ?? "Running",
                    StartTime = c.Starts?[i] ?? DateTime.MinValue,
                    Conditions = [new V1PodCondition { Type = "Ready", Status = c.Readiness is { } r && i < r.Length ? r[i] : "True" }],
                },
            });
        }
        var metrics = new Dictionary<string, PodMetric>();
        for (var i = 0; i < c.Levels.Length; i++)
        {
            var name = c.MetricPods is { } names && i < names.Length ? names[i] : $"test-pod-{i}";
            metrics[name] = new PodMetric(DateTimeOffset.MinValue, TimeSpan.FromMinutes(1), c.Levels[i]);
        }
        return (pods, metrics);
    }
}
