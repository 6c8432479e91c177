using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using MiniKube.Controllers.PodAutoscaler;
using MiniKube.Controllers.Tests.Common;

namespace MiniKube.Controllers.Tests.PodAutoscaler;

/// <summary>
/// The autoscaler against the in-process API server, with the deployment and replicaset
/// controllers, every controller under its own service account and bootstrap role: an HPA
/// scales a Deployment out under high CPU usage and back in when usage falls (a short
/// scale-down window in its behavior), through the Deployment's /scale, with upstream's status,
/// conditions and events. The test plays the kubelet (pods Running and Ready, started long
/// enough ago for their CPU to count) and the metrics source: a fake
/// <see cref="IResourceMetricsClient"/> reporting the same usage for every pod the selector matches
/// (the metrics.k8s.io client itself is tested against an HTTP server of its own in
/// <see cref="RestResourceMetricsClientTests"/>).
/// </summary>
[Category("Integration")]
public sealed class HorizontalControllerIntegrationTests
{
    private const string Ns = TestObjects.Namespace;
    private ClusterHarness _cluster = null!;
    private FakeMetrics _metrics = null!;

    private Kubernetes Client => _cluster.Client;

    [SetUp]
    public async Task SetUp()
    {
        _metrics = new FakeMetrics();
        _cluster = await ClusterHarness.StartAsync(
            options => options with { PodAutoscaler = new HorizontalPodAutoscalerOptions { SyncPeriod = TimeSpan.FromMilliseconds(500), Metrics = _ => _metrics } },
            "deployment", "replicaset", HorizontalController.ControllerName);
        _metrics.Client = Client;
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task Hpa_HighThenLowCpu_ScalesDeploymentOutThenBackIn()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), Ns);
        await ReplicasAsync(1);
        _metrics.CpuMilli = 200;

        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(Autoscaler("web"), Ns);

        // 200m of a 100m request is 200 % of a 50 % target: 4 × 1 pod, which the default scale-up rate (4 pods per 15 s) allows; max 4.
        await ReplicasAsync(4);
        var hpa = await _cluster.EventuallyAsync(() => Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns),
            // Once all four pods run (before that the new ones count as unready, at 0 %), the metric would want more than the maximum.
            h => h?.Status?.DesiredReplicas == 4 && h.Status.CurrentReplicas == 4 && h.Status.CurrentMetrics?.Count == 1
                && h.Status.Conditions.Any(c => c.Type == "ScalingLimited" && c.Reason == "TooManyReplicas"),
            "the HPA's status at 4 replicas, limited by the maximum");
        var cpu = hpa.Status.CurrentMetrics.Single();
        Assert.Multiple(() =>
        {
            Assert.That(cpu.Type, Is.EqualTo("Resource"));
            Assert.That(cpu.Resource.Name, Is.EqualTo("cpu"));
            Assert.That(cpu.Resource.Current.AverageUtilization, Is.EqualTo(200));
            Assert.That(cpu.Resource.Current.AverageValue.ToString(), Is.EqualTo("200m"));
            Assert.That(hpa.Status.LastScaleTime, Is.Not.Null);
            Assert.That(Condition(hpa, "ScalingActive"), Is.EqualTo(("True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)")));
            Assert.That(Condition(hpa, "ScalingLimited"), Is.EqualTo(("True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")));
            Assert.That(Condition(hpa, "AbleToScale").Item1, Is.EqualTo("True"));
        });
        await EventAsync("SuccessfulRescale", "New size: 4; reason: cpu resource utilization (percentage of request) above target");

        // Usage falls: 10m is 10 % → 1 pod once the 1 s scale-down window has passed.
        _metrics.CpuMilli = 10;
        await ReplicasAsync(1);
        await EventAsync("SuccessfulRescale", "New size: 1; reason: All metrics below target");
        hpa = await _cluster.EventuallyAsync(() => Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns),
            h => h?.Status?.CurrentReplicas == 1 && h.Status.DesiredReplicas == 1, "the HPA's status at 1 replica");
        Assert.That(Condition(hpa, "ScalingLimited"), Is.EqualTo(("False", "DesiredWithinRange", "the desired count is within the acceptable range")));
    }

    [Test]
    public async Task Hpa_TargetMissing_IsUnableToScaleWithUpstreamsReason()
    {
        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(Autoscaler("nope"), Ns);

        var hpa = await _cluster.EventuallyAsync(() => Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns),
            h => h?.Status?.Conditions?.Any(c => c.Type == "AbleToScale") == true, "the AbleToScale condition");

        Assert.That(Condition(hpa, "AbleToScale"), Is.EqualTo(("False", "FailedGetScale", "the HPA controller was unable to get the target's current scale: deployments.apps \"nope\" not found")));
        await EventAsync("FailedGetScale", "deployments.apps \"nope\" not found");
    }

    [Test]
    public async Task Hpa_NoMetrics_ReportsFailedGetResourceMetricAndComputeFailure()
    {
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), Ns);
        await ReplicasAsync(1);
        _metrics.Unavailable = true;

        await Client.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(Autoscaler("web"), Ns);

        var hpa = await _cluster.EventuallyAsync(() => Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", Ns),
            h => h?.Status?.Conditions?.Any(c => c.Type == "ScalingActive") == true, "the ScalingActive condition");
        const string Inner = "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API";
        Assert.That(Condition(hpa, "ScalingActive"), Is.EqualTo(("False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: " + Inner)));
        await EventAsync("FailedGetResourceMetric", Inner);
        await EventAsync("FailedComputeMetricsReplicas", "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: " + Inner);
    }

    private static (string, string, string) Condition(V2HorizontalPodAutoscaler hpa, string type) =>
        hpa.Status.Conditions.Single(c => c.Type == type) is var c ? (c.Status, c.Reason, c.Message) : default;

    private Task EventAsync(string reason, string message) =>
        _cluster.EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedEventAsync(Ns)).Items
            .Any(e => e.Reason == reason && e.Message == message && e.Source?.Component == "horizontal-pod-autoscaler"
                && e.InvolvedObject.Kind == "HorizontalPodAutoscaler"), $"event {reason}: {message}");

    /// <summary>Waits until the Deployment wants <paramref name="replicas"/> and that many pods run, playing the kubelet meanwhile.</summary>
    private async Task ReplicasAsync(int replicas) =>
        await _cluster.EventuallyAsync(async () =>
        {
            var running = await KubeletAsync(replicas);
            var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", Ns);
            return deployment.Spec.Replicas == replicas && running;
        }, $"the Deployment at {replicas} replicas", TimeSpan.FromSeconds(60));

    /// <summary>Acts as the kubelet: every active pod of the Deployment Running and Ready, started ten minutes ago; true when exactly <paramref name="count"/> are.</summary>
    private async Task<bool> KubeletAsync(int count)
    {
        var pods = await _cluster.ActivePodsAsync(Ns, "app=web");
        foreach (var pod in pods.Where(p => p.Status?.Phase != "Running"))
        {
            var started = DateTime.UtcNow.AddMinutes(-10);
            var status = new { status = new { phase = "Running", startTime = started, conditions = new[] { new { type = "Ready", status = "True", lastTransitionTime = started } } } };
            try
            {
                await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch), pod.Metadata.Name, Ns);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Removed by a scale-in meanwhile.
            }
        }
        return pods.Count == count;
    }

    private static V1Deployment Deployment() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1DeploymentSpec
        {
            Replicas = 1,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "burn",
                            Image = "busybox",
                            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } },
                        },
                    ],
                },
            },
        },
    };

    private static V2HorizontalPodAutoscaler Autoscaler(string target) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = target },
            MinReplicas = 1,
            MaxReplicas = 4,
            Metrics = [new V2MetricSpec { Type = "Resource", Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 50 } } }],
            Behavior = new V2HorizontalPodAutoscalerBehavior { ScaleDown = new V2HPAScalingRules { StabilizationWindowSeconds = 1 } },
        },
    };

    /// <summary>metrics.k8s.io as the test wants it: <see cref="CpuMilli"/> for every pod the selector matches now, or nothing.</summary>
    private sealed class FakeMetrics : IResourceMetricsClient
    {
        public Kubernetes Client { get; set; } = null!;

        public volatile int CpuMilli;

        public volatile bool Unavailable;

        public ConcurrentQueue<string> Selectors { get; } = new();

        public async Task<ResourceMetrics> GetResourceMetricAsync(string resource, string ns, string selector, string container, CancellationToken cancellationToken)
        {
            Selectors.Enqueue(selector);
            if (Unavailable)
            {
                throw new AutoscalerException("no metrics returned from resource metrics API");
            }
            var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);
            var now = DateTimeOffset.UtcNow;
            return new ResourceMetrics(pods.Items.ToDictionary(p => p.Metadata.Name, _ => new PodMetric(now, TimeSpan.FromSeconds(15), CpuMilli)), now);
        }
    }
}
