using System.Collections.Concurrent;
using k8s.Models;

namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// The horizontal pod autoscaler (pkg/controller/podautoscaler/horizontal.go): every sync period
/// each HorizontalPodAutoscaler (autoscaling/v2; v1 ones are the same stored objects) reads its
/// target's scale subresource, proposes a replica count per metric (Resource and
/// ContainerResource: CPU or memory utilization of requests, or an average value, from
/// metrics.k8s.io; see <see cref="ReplicaCalculator"/>), takes the highest, stabilizes and limits
/// it (<see cref="ScaleRecommendations"/>), writes the new count through <c>/scale</c> and the
/// status (current and desired replicas, current metrics, lastScaleTime, the AbleToScale,
/// ScalingActive and ScalingLimited conditions) with upstream's reasons, messages and events.
/// As upstream, an HPA is not synced on each change: every change, and every sync, schedules the
/// next one a sync period later. Pods come from the shared informer; Pods, Object and External
/// metrics fail with upstream's reasons, since no custom or external metrics API is served.
/// </summary>
public sealed partial class HorizontalController : Controller<NamespacedName>
{
    /// <summary>kube-controller-manager's name for the controller (its --controllers alias).</summary>
    public const string ControllerName = "horizontalpodautoscaling";

    // --concurrent-horizontal-pod-autoscaler-syncs.
    private const int Workers = 5;

    private readonly HorizontalPodAutoscalerOptions _options;

    // What is read: the HPAs and pods from the shared caches, usage from the metrics source.
    private readonly Informer<V2HorizontalPodAutoscaler> _autoscalers;
    private readonly Informer<V1Pod> _pods;
    private readonly IResourceMetricsClient _metrics;

    // hpaSelectors: the last selector each HPA's target reported (Nothing until its first sync), for the ambiguity check.
    private readonly ConcurrentDictionary<NamespacedName, LabelSelector> _selectors = new();

    // Where scales are read and written, how the count is worked out, and what is remembered between syncs.
    private readonly ScaleTargets _targets;
    private readonly ReplicaCalculator _calculator;
    private readonly ScaleRecommendations _recommendations;

    public HorizontalController(ControllerContext context, HorizontalPodAutoscalerOptions options)
        : base(context, ControllerName, Workers, eventSource: "horizontal-pod-autoscaler")
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _metrics = options.Metrics?.Invoke(context.Client) ?? new RestResourceMetricsClient(context.Client);
        _targets = new ScaleTargets(context.Client, context.Time);
        _calculator = new ReplicaCalculator(options.CpuInitializationPeriod, options.InitialReadinessDelay);
        _recommendations = new ScaleRecommendations(context.Time, options.DownscaleStabilization);
        _pods = context.Informers.Pods;
        _autoscalers = context.Informers.For(KubeListWatches.HorizontalPodAutoscalers);
        _autoscalers.AddHandler(OnAutoscalerChange);
    }

    /// <summary>Reconciles the HPA at <paramref name="key"/> and schedules its next look one sync period later.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_autoscalers.Cache.Get(key) is not { } cached)
        {
            _recommendations.Forget(key);
            _selectors.TryRemove(key, out _);
            return;
        }
        // First, so a failed status write (retried sooner by the loop) cannot lose the periodic look.
        Queue.AddAfter(key, _options.SyncPeriod);
        var hpa = ObjectCopy.Clone(cached);
        var original = hpa.Status is null ? "" : KubernetesJson.Serialize(hpa.Status);
        hpa.Status ??= new V2HorizontalPodAutoscalerStatus();
        var failure = await ReconcileAsync(hpa, key, cancellationToken);
        await UpdateStatusIfNeededAsync(original, hpa, cancellationToken);
        if (failure is not null)
        {
            // Upstream logs it and looks again at the next period; the events and conditions already tell the user.
            LogSyncFailed(key, failure);
        }
    }

    // enqueueHPA / deleteHPA: every change waits for the sync period (upstream's fixed-interval rate limiter); a delete clears the memory at once.
    private void OnAutoscalerChange(ObjectChange<V2HorizontalPodAutoscaler> change)
    {
        if (change.IsDelete)
        {
            Queue.Add(change.Name);
            return;
        }
        _selectors.TryAdd(change.Name, LabelSelector.Nothing);
        Queue.AddAfter(change.Name, _options.SyncPeriod);
    }

    /// <summary>reconcileAutoscaler: changes <paramref name="hpa"/>'s status in place; returns the error to log, if any.</summary>
    private async Task<string?> ReconcileAsync(V2HorizontalPodAutoscaler hpa, NamespacedName key, CancellationToken cancellationToken)
    {
        var spec = hpa.Spec;
        var status = hpa.Status;
        var reference = $"{spec.ScaleTargetRef.Kind}/{key.Namespace}/{spec.ScaleTargetRef.Name}";
        TargetScale target;
        try
        {
            target = await _targets.GetAsync(spec.ScaleTargetRef, key.Namespace, cancellationToken);
        }
        catch (Exception e) when (e is AutoscalerException or HttpOperationException)
        {
            var message = Message(e);
            Events.Record(hpa, EventTypes.Warning, "FailedGetScale", message);
            SetCondition(status, AbleToScale, "False", "FailedGetScale", $"the HPA controller was unable to get the target's current scale: {message}");
            return $"failed to query scale subresource for {reference}: {message}";
        }
        SetCondition(status, AbleToScale, "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
        var currentReplicas = target.Scale.Spec?.Replicas ?? 0;
        _recommendations.RecordInitial(key, currentReplicas);

        var minReplicas = spec.MinReplicas ?? 1;
        var desired = 0;
        var rescale = true;
        var reason = "";
        string? partialFailure = null;
        IList<V2MetricStatus>? metricStatuses = null;
        var behavior = spec.Behavior is { } b ? ScalingRules.Of(b, _options.DownscaleStabilization) : default((V2HPAScalingRules Up, V2HPAScalingRules Down)?);
        if (currentReplicas == 0 && minReplicas != 0)
        {
            rescale = false;
            SetCondition(status, ScalingActive, "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
        }
        else if (currentReplicas > spec.MaxReplicas)
        {
            reason = "Current number of replicas above Spec.MaxReplicas";
            desired = spec.MaxReplicas;
        }
        else if (currentReplicas < minReplicas)
        {
            reason = "Current number of replicas below Spec.MinReplicas";
            desired = minReplicas;
        }
        else
        {
            var computed = await ComputeReplicasForMetricsAsync(hpa, key, target.Scale, behavior, cancellationToken);
            metricStatuses = computed.Statuses;
            if (computed.Error is not null && computed.Replicas == -1)
            {
                SetStatus(hpa, currentReplicas, status.DesiredReplicas, metricStatuses, rescale: false);
                Events.Record(hpa, EventTypes.Warning, "FailedComputeMetricsReplicas", computed.Error);
                return $"failed to compute desired number of replicas based on listed metrics for {reference}: {computed.Error}";
            }
            // Some metrics failed but the others allow scaling: go on, and log the failure at the end.
            partialFailure = computed.Error;
            var rescaleMetric = "";
            if (computed.Replicas > desired)
            {
                desired = computed.Replicas;
                rescaleMetric = computed.Metric;
            }
            reason = desired > currentReplicas ? $"{rescaleMetric} above target" : desired < currentReplicas ? "All metrics below target" : "";
            var normalized = behavior is { } rules
                ? _recommendations.NormalizeWithBehavior(key, rules.Up, rules.Down, currentReplicas, desired, minReplicas, spec.MaxReplicas)
                : _recommendations.Normalize(key, currentReplicas, desired, minReplicas, spec.MaxReplicas);
            SetCondition(status, AbleToScale, normalized.AbleToScale);
            SetCondition(status, ScalingLimited, normalized.ScalingLimited);
            desired = normalized.Replicas;
            rescale = desired != currentReplicas;
        }

        if (!rescale)
        {
            SetStatus(hpa, currentReplicas, currentReplicas, metricStatuses, rescale: false);
            return partialFailure;
        }
        try
        {
            await _targets.UpdateAsync(target, desired, cancellationToken);
        }
        catch (HttpOperationException e)
        {
            var message = ApiErrors.StatusMessage(e);
            Events.Record(hpa, EventTypes.Warning, "FailedRescale", $"New size: {desired}; reason: {reason}; error: {message}");
            SetCondition(status, AbleToScale, "False", "FailedUpdateScale", $"the HPA controller was unable to update the target scale: {message}");
            SetStatus(hpa, currentReplicas, status.DesiredReplicas, metricStatuses, rescale: false);
            return $"failed to rescale {reference}: {message}";
        }
        SetCondition(status, AbleToScale, "True", "SucceededRescale", $"the HPA controller was able to update the target scale to {desired}");
        Events.Record(hpa, EventTypes.Normal, "SuccessfulRescale", $"New size: {desired}; reason: {reason}");
        _recommendations.RecordScale(key, behavior?.Up, behavior?.Down, currentReplicas, desired);
        LogRescaled(key, currentReplicas, desired, reason);
        SetStatus(hpa, currentReplicas, desired, metricStatuses, rescale: true);
        return partialFailure;
    }

    /// <summary>computeReplicasForMetrics: the highest proposal over the metrics, which metric made it, every metric's status, and the error of the first failed one.</summary>
    private async Task<(int Replicas, string Metric, IList<V2MetricStatus>? Statuses, string? Error)> ComputeReplicasForMetricsAsync(
        V2HorizontalPodAutoscaler hpa, NamespacedName key, V1Scale scale, (V2HPAScalingRules Up, V2HPAScalingRules Down)? behavior, CancellationToken cancellationToken)
    {
        var selectorText = scale.Status?.Selector ?? "";
        var (selection, selectorError) = ValidateSelector(hpa, key, selectorText);
        if (selection is not var (selector, pods))
        {
            return (-1, "", null, selectorError);
        }
        var specReplicas = scale.Spec?.Replicas ?? 0;
        var specs = hpa.Spec.Metrics ?? [];
        // A metric that fails keeps an empty status in its place, as upstream's zero-valued entry.
        var statuses = specs.Select(_ => new V2MetricStatus { Type = "" }).ToList();
        var tolerances = Tolerances(behavior);
        var replicas = 0;
        var metric = "";
        var invalid = 0;
        string? firstError = null;
        ConditionChange firstCondition = default;
        for (var i = 0; i < specs.Count; i++)
        {
            var (proposal, name, error, condition) = await ComputeReplicasForMetricAsync(hpa, specs[i], specReplicas, selector, pods, tolerances, statuses, i, cancellationToken);
            if (error is not null)
            {
                if (invalid == 0)
                {
                    firstError = error;
                    firstCondition = condition;
                }
                invalid++;
                continue;
            }
            if (replicas == 0 || proposal > replicas)
            {
                replicas = proposal;
                metric = name;
            }
        }
        var invalidError = firstError is null ? null : $"invalid metrics ({invalid} invalid out of {specs.Count}), first error is: {firstError}";
        // All metrics failed, or some did and the rest would scale down: do nothing rather than scale on half the picture.
        if (invalid >= specs.Count || (invalid > 0 && replicas < specReplicas))
        {
            SetCondition(hpa.Status, ScalingActive, firstCondition.Status, firstCondition.Reason, firstCondition.Message);
            return (-1, "", statuses, invalidError);
        }
        SetCondition(hpa.Status, ScalingActive, "True", "ValidMetricFound", $"the HPA was able to successfully calculate a replica count from {metric}");
        return (replicas, metric, statuses, invalidError);
    }

    /// <summary>computeReplicasForMetric: one metric's proposal and status, or its error and the ScalingActive condition it would set (its event is recorded here).</summary>
    private async Task<(int Replicas, string Metric, string? Error, ConditionChange Condition)> ComputeReplicasForMetricAsync(
        V2HorizontalPodAutoscaler hpa, V2MetricSpec spec, int specReplicas, LabelSelector selector, IReadOnlyList<V1Pod> pods, Tolerances tolerances,
        List<V2MetricStatus> statuses, int index, CancellationToken cancellationToken)
    {
        string reason;
        string error;
        string wrapped;
        switch (spec.Type)
        {
            case "Resource" when spec.Resource is { } source:
                try
                {
                    var (replicas, name, current) = await ResourceProposalAsync(hpa, specReplicas, source.Target, source.Name, "", selector, pods, tolerances, cancellationToken);
                    statuses[index] = new V2MetricStatus { Type = "Resource", Resource = new V2ResourceMetricStatus { Name = source.Name, Current = current } };
                    return (replicas, name, null, default);
                }
                catch (AutoscalerException e)
                {
                    (reason, error, wrapped) = ("FailedGetResourceMetric", e.Message, $"failed to get {source.Name} resource metric value: {e.Message}");
                }
                break;
            case "ContainerResource" when spec.ContainerResource is { } source:
                try
                {
                    var (replicas, name, current) = await ResourceProposalAsync(hpa, specReplicas, source.Target, source.Name, source.Container, selector, pods, tolerances, cancellationToken);
                    statuses[index] = new V2MetricStatus
                    {
                        Type = "ContainerResource",
                        ContainerResource = new V2ContainerResourceMetricStatus { Name = source.Name, Container = source.Container, Current = current },
                    };
                    return (replicas, name, null, default);
                }
                catch (AutoscalerException e)
                {
                    (reason, error, wrapped) = ("FailedGetContainerResourceMetric", e.Message, $"failed to get {source.Container} container metric value: {e.Message}");
                }
                break;
            case "Pods":
                error = $"unable to get metric {spec.Pods?.Metric?.Name}: {NoCustomMetrics}";
                (reason, wrapped) = ("FailedGetPodsMetric", $"failed to get pods metric value: {error}");
                break;
            case "Object":
                error = $"unable to get metric {spec.ObjectProperty?.Metric?.Name}: {NoCustomMetrics}";
                (reason, wrapped) = ("FailedGetObjectMetric", $"failed to get object metric value: {error}");
                break;
            case "External":
                error = $"unable to get external metric {hpa.Metadata.NamespaceProperty}/{spec.External?.Metric?.Name}: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) is served";
                (reason, wrapped) = ("FailedGetExternalMetric", $"failed to get {spec.External?.Metric?.Name} external metric value: {error}");
                break;
            default:
                error = $"unknown metric source type \"{spec.Type}\"";
                (reason, wrapped) = ("InvalidMetricSourceType", error);
                break;
        }
        // getUnableComputeReplicaCountCondition: the event carries the inner error, the condition says what it stopped.
        Events.Record(hpa, EventTypes.Warning, reason, error);
        return (0, "", wrapped, new ConditionChange("False", reason, $"the HPA was unable to compute the replica count: {error}"));
    }

    private const string NoCustomMetrics = "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";

    /// <summary>computeStatusForResourceMetricGeneric: the proposal, the metric's description and its current value, for an average value or a utilization target.</summary>
    private async Task<(int Replicas, string Metric, V2MetricValueStatus Current)> ResourceProposalAsync(
        V2HorizontalPodAutoscaler hpa, int currentReplicas, V2MetricTarget target, string resource, string container, LabelSelector selector,
        IReadOnlyList<V1Pod> pods, Tolerances tolerances, CancellationToken cancellationToken)
    {
        var ns = hpa.Metadata.NamespaceProperty;
        if (target.AverageValue is { } averageValue)
        {
            try
            {
                var metrics = await MetricsAsync(resource, ns, selector.ToString(), container, cancellationToken);
                var proposal = _calculator.ForAverageValue(currentReplicas, Quantities.Milli(averageValue), resource, tolerances, pods, metrics.Pods, Time.GetUtcNow());
                return (proposal.Replicas, $"{resource} resource", new V2MetricValueStatus { AverageValue = MilliQuantity(proposal.AverageValue) });
            }
            catch (AutoscalerException e)
            {
                throw new AutoscalerException($"failed to get {resource} usage: {e.Message}", e);
            }
        }
        if (target.AverageUtilization is not { } utilization)
        {
            throw new AutoscalerException("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
        }
        try
        {
            var metrics = await MetricsAsync(resource, ns, selector.ToString(), container, cancellationToken);
            var proposal = _calculator.ForUtilization(currentReplicas, utilization, resource, container, tolerances, pods, metrics.Pods, Time.GetUtcNow());
            var name = container.Length > 0
                ? $"{resource} container resource utilization (percentage of request)"
                : $"{resource} resource utilization (percentage of request)";
            return (proposal.Replicas, name, new V2MetricValueStatus { AverageUtilization = proposal.Utilization, AverageValue = MilliQuantity(proposal.AverageValue) });
        }
        catch (AutoscalerException e)
        {
            throw new AutoscalerException($"failed to get {resource} utilization: {e.Message}", e);
        }
    }

    private async Task<ResourceMetrics> MetricsAsync(string resource, string ns, string selector, string container, CancellationToken cancellationToken)
    {
        try
        {
            return await _metrics.GetResourceMetricAsync(resource, ns, selector, container, cancellationToken);
        }
        catch (AutoscalerException e)
        {
            throw new AutoscalerException($"unable to get metrics for resource {resource}: {e.Message}", e);
        }
    }

    /// <summary>
    /// validateAndParseSelector: the target's selector and its pods, or null with the ScalingActive
    /// condition and event set — no selector, one that does not parse, or pods another HPA also selects.
    /// </summary>
    private ((LabelSelector Selector, IReadOnlyList<V1Pod> Pods)? Selection, string? Error) ValidateSelector(V2HorizontalPodAutoscaler hpa, NamespacedName key, string text)
    {
        if (text.Length == 0)
        {
            Events.Record(hpa, EventTypes.Warning, "SelectorRequired", "selector is required");
            SetCondition(hpa.Status, ScalingActive, "False", "InvalidSelector", "the HPA target's scale is missing a selector");
            return (null, "selector is required");
        }
        LabelSelector selector;
        try
        {
            selector = LabelSelector.Parse(text);
        }
        catch (InvalidSelectorException e)
        {
            var message = $"couldn't convert selector into a corresponding internal selector object: {e.Message}";
            Events.Record(hpa, EventTypes.Warning, "InvalidSelector", message);
            SetCondition(hpa.Status, ScalingActive, "False", "InvalidSelector", message);
            return (null, message);
        }
        if (_selectors.ContainsKey(key))
        {
            _selectors[key] = selector;
        }
        var pods = _pods.Cache.ListNamespace(key.Namespace, selector);
        var controlling = _selectors
            .Where(s => s.Key.Namespace == key.Namespace && pods.Any(p => s.Value.Matches(p)))
            .Select(s => $"{s.Key.Namespace}/{s.Key.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
        if (controlling.Count > 1)
        {
            var message = $"pods by selector {text} are controlled by multiple HPAs: [{string.Join(' ', controlling)}]";
            Events.Record(hpa, EventTypes.Warning, "AmbiguousSelector", message);
            SetCondition(hpa.Status, ScalingActive, "False", "AmbiguousSelector", message);
            return (null, message);
        }
        return ((selector, pods), null);
    }

    /// <summary>The tolerances: the controller's, or a behavior rule's own (the HPAConfigurableTolerance field).</summary>
    private Tolerances Tolerances((V2HPAScalingRules Up, V2HPAScalingRules Down)? behavior) => new(
        behavior?.Down.Tolerance is { } down ? (double)down.ToDecimal() : _options.Tolerance,
        behavior?.Up.Tolerance is { } up ? (double)up.ToDecimal() : _options.Tolerance);

    /// <summary>setStatus: a fresh status with the conditions kept; lastScaleTime moves on a rescale.</summary>
    private void SetStatus(V2HorizontalPodAutoscaler hpa, int currentReplicas, int desiredReplicas, IList<V2MetricStatus>? metrics, bool rescale)
    {
        var old = hpa.Status;
        hpa.Status = new V2HorizontalPodAutoscalerStatus
        {
            CurrentReplicas = currentReplicas,
            DesiredReplicas = desiredReplicas,
            LastScaleTime = rescale ? Time.GetUtcNow().UtcDateTime : old.LastScaleTime,
            CurrentMetrics = metrics,
            Conditions = old.Conditions,
        };
    }

    // The condition types of an HPA's status.
    private const string AbleToScale = "AbleToScale";
    private const string ScalingActive = "ScalingActive";
    private const string ScalingLimited = "ScalingLimited";

    private void SetCondition(V2HorizontalPodAutoscalerStatus status, string type, ConditionChange change) =>
        SetCondition(status, type, change.Status, change.Reason, change.Message);

    /// <summary>setCondition: sets one condition type (appended when absent); its transition time moves only when its status does.</summary>
    private void SetCondition(V2HorizontalPodAutoscalerStatus status, string type, string conditionStatus, string reason, string message)
    {
        status.Conditions ??= [];
        var condition = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (condition is null)
        {
            condition = new V2HorizontalPodAutoscalerCondition { Type = type };
            status.Conditions.Add(condition);
        }
        if (condition.Status != conditionStatus)
        {
            condition.LastTransitionTime = Time.GetUtcNow().UtcDateTime;
        }
        condition.Status = conditionStatus;
        condition.Reason = reason;
        condition.Message = message;
    }

    /// <summary>updateStatusIfNeeded: writes the status when it differs from what was read; a failed write is an event and an error for the loop.</summary>
    private async Task UpdateStatusIfNeededAsync(string original, V2HorizontalPodAutoscaler hpa, CancellationToken cancellationToken)
    {
        if (KubernetesJson.Serialize(hpa.Status) == original)
        {
            return;
        }
        try
        {
            await Client.AutoscalingV2.ReplaceNamespacedHorizontalPodAutoscalerStatusAsync(hpa, hpa.Metadata.Name, hpa.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Deleted meanwhile: its delete event clears what we remember.
        }
        catch (HttpOperationException e)
        {
            Events.Record(hpa, EventTypes.Warning, "FailedUpdateStatus", ApiErrors.StatusMessage(e));
            throw;
        }
    }

    private static string Message(Exception e) => e is HttpOperationException http ? ApiErrors.StatusMessage(http) : e.Message;

    private static ResourceQuantity MilliQuantity(long milli) => new(Quantities.Canonical(milli / 1000m, QuantityFormat.DecimalSI));

    [LoggerMessage(EventId = LogEvents.Controllers + 900, Level = LogLevel.Information, Message = "HorizontalPodAutoscaler {Key} rescaled its target from {Current} to {Desired} replicas: {Reason}")]
    private partial void LogRescaled(NamespacedName key, int current, int desired, string reason);

    [LoggerMessage(EventId = LogEvents.Controllers + 901, Level = LogLevel.Warning, Message = "HorizontalPodAutoscaler {Key} could not scale its target: {Error}; trying again at the next sync period")]
    private partial void LogSyncFailed(NamespacedName key, string error);
}
