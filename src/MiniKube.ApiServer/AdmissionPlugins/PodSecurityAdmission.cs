using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.PodSecurity;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// kube-apiserver's PodSecurity admission plugin (plugin/pkg/admission/security/podsecurity over
/// pod-security-admission admission/admission.go of v1.32), validating phase, creates and updates:
/// <list type="bullet">
/// <item>Pods are checked against their namespace's enforce level (403 Forbidden, "violates
/// PodSecurity \"restricted:latest\": …") and warn level (a Warning header, "would violate
/// PodSecurity …"); updates that change no container image and add no ephemeral container pass
/// unchecked, as do the status, binding, eviction and streaming subresources.</item>
/// <item>Workloads with a pod template (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
/// CronJobs, ReplicationControllers, PodTemplates) only get warnings: their pods are enforced
/// when created.</item>
/// <item>Namespaces: labels that do not parse are 422 Invalid on create, and on an update that
/// changes the errors; a stricter enforce level reviews the pods already there and answers with
/// warnings, never a refusal.</item>
/// </list>
/// The audit mode is parsed but has no effect: this server keeps no audit log to annotate.
/// Namespaces are read from the watch cache (a store read when it does not have one yet).
/// </summary>
public sealed class PodSecurityAdmission(CachedReads reads, PodSecurityConfiguration? configuration = null, TimeProvider? clock = null) : IAdmissionPlugin
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;

    // A label change reviews existing pods for at most this long (defaultNamespacePodCheckTimeout).
    private static readonly TimeSpan PodReviewBudget = TimeSpan.FromSeconds(1);

    // admission.go ignoredPodSubresources: these never change what the checks read.
    private static readonly HashSet<string> IgnoredPodSubresources = new(StringComparer.Ordinal)
    {
        "exec", "attach", "binding", "eviction", "log", "portforward", "proxy", "status",
    };

    private readonly PodSecurityConfiguration config = configuration ?? PodSecurityConfiguration.Default;
    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private readonly PodSecurityEvaluator evaluator = PodSecurityEvaluator.Default;

    // The levels each version of a namespace's labels sets, parsed once rather than on every pod write in it.
    private readonly StoredFacts<NamespaceLevels> namespaceLevels = new(ns =>
    {
        var (policy, errors) = NamespacePolicy.FromLabels(NamespacePolicy.Labels(ns), (configuration ?? PodSecurityConfiguration.Default).Defaults);
        return new NamespaceLevels(policy, errors);
    });

    public string Name => "PodSecurity";

    public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation == AdmissionOperation.Delete || request.Type.Custom is not null)
        {
            return Task.CompletedTask;
        }
        var (group, resource) = (request.Type.Group, request.Type.Name);
        return (group, resource) switch
        {
            ("", "namespaces") => ValidateNamespaceAsync(request, cancellationToken),
            ("", "pods") => ValidatePodAsync(request, cancellationToken),
            _ when PodTemplates.IsWorkload(group, resource) => ValidateWorkloadAsync(request, cancellationToken),
            _ => Task.CompletedTask,
        };
    }

    private async Task ValidateNamespaceAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Subresource is not null)
        {
            return;
        }
        var labels = NamespacePolicy.Labels(request.Object);
        var (policy, errors) = NamespacePolicy.FromLabels(labels, config.Defaults);
        if (request.OldObject is null)
        {
            if (errors.Count > 0)
            {
                throw ApiException.Invalid(request.Type, request.Name, errors);
            }
            // A namespace being created has no namespace of its own to be exempt as (upstream's
            // request namespace is empty on a create), so no exemption warning here.
            return;
        }
        var (oldPolicy, oldErrors) = NamespacePolicy.FromLabels(NamespacePolicy.Labels(request.OldObject), config.Defaults);
        if (errors.Count > 0 && (oldErrors.Count == 0 || !errors.Select(e => e.Message).SequenceEqual(oldErrors.Select(e => e.Message), StringComparer.Ordinal)))
        {
            throw ApiException.Invalid(request.Type, request.Name, errors);
        }
        // Existing pods are reviewed only when enforcement becomes stricter.
        if (policy.Enforce == oldPolicy.Enforce
            || policy.Enforce.Level == PodSecurityLevel.Privileged
            || (policy.Enforce.Version == oldPolicy.Enforce.Version && policy.Enforce.Level <= oldPolicy.Enforce.Level))
        {
            return;
        }
        if (config.ExemptNamespaces.Contains(request.Name))
        {
            if (config.ExemptNamespaceWarning(request.Name, policy, labels) is { } warning)
            {
                RequestWarnings.Add(warning);
            }
            return;
        }
        var pods = (await reads.ListAsync(Pods, request.Name, cancellationToken)).Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision)).ToList();
        var started = time.GetTimestamp();
        var warnings = NamespacePodReview.Review(request.Name, policy.Enforce, pods, evaluator,
            () => time.GetElapsedTime(started) > PodReviewBudget || cancellationToken.IsCancellationRequested, config.IsExemptRuntimeClass);
        foreach (var warning in warnings)
        {
            RequestWarnings.Add(warning);
        }
    }

    private async Task ValidatePodAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Subresource is { } subresource && IgnoredPodSubresources.Contains(subresource))
        {
            return;
        }
        // Upstream reads the namespace before it looks at what an update changed; the answer is
        // the same (an update that changes nothing checked passes), and most pod updates (labels,
        // finalizers, owner references) then cost no namespace read.
        if (IsExempt(request) || (request.OldObject is { } old && !ChangesWhatIsChecked(request.Object, old)))
        {
            return;
        }
        var ns = request.Namespace ?? "";
        var namespaceObject = await reads.GetAsync(Namespaces, null, ns, cancellationToken)
            ?? throw ApiException.Internal($"failed to lookup namespace \"{ns}\"");
        var (policy, errors) = namespaceLevels.Of(namespaceObject);
        if (errors.Count == 0 && policy.FullyPrivileged)
        {
            return;
        }
        Evaluate(request, policy, PodTemplates.Extract("pods", request.Object)!, enforce: true);
    }

    private async Task ValidateWorkloadAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Subresource is not null || IsExempt(request))
        {
            return;
        }
        // A namespace that cannot be read lets the workload through: its pods are enforced anyway.
        var ns = request.Namespace ?? "";
        if (await reads.GetAsync(Namespaces, null, ns, cancellationToken) is not { } namespaceObject)
        {
            return;
        }
        var (policy, errors) = namespaceLevels.Of(namespaceObject);
        if (errors.Count == 0 && policy.Warn.Level == PodSecurityLevel.Privileged && policy.Audit.Level == PodSecurityLevel.Privileged)
        {
            return;
        }
        if (PodTemplates.Extract(request.Type.Name, request.Object) is { } pod)
        {
            Evaluate(request, policy, pod, enforce: false);
        }
    }

    // admission.go EvaluatePod: enforce refuses; warn adds a warning unless the request is refused.
    // (Audit would annotate the audit event; there is no audit log here.)
    private void Evaluate(AdmissionRequest request, NamespacePolicy policy, PodSpecView pod, bool enforce)
    {
        if (config.IsExemptRuntimeClass(pod.Spec.Str("runtimeClassName")))
        {
            return;
        }
        AggregateResult? enforced = null;
        if (enforce)
        {
            enforced = evaluator.Check(policy.Enforce, pod);
            if (!enforced.Allowed)
            {
                throw ApiException.Forbidden(request.Type, request.Name, $"violates PodSecurity \"{policy.Enforce}\": {enforced.Detail}");
            }
        }
        var warned = enforced is not null && policy.Warn == policy.Enforce ? enforced : evaluator.Check(policy.Warn, pod);
        if (!warned.Allowed)
        {
            RequestWarnings.Add($"would violate PodSecurity \"{policy.Warn}\": {warned.Detail}");
        }
    }

    private bool IsExempt(AdmissionRequest request) =>
        (request.Namespace is { Length: > 0 } ns && config.ExemptNamespaces.Contains(ns))
        || (request.User is { Name.Length: > 0 } user && config.ExemptUsernames.Contains(user.Name));

    /// <summary>
    /// admission.go isSignificantPodUpdate: only images (of containers and init containers, by
    /// position) and ephemeral containers (added, or their image changed) can change on a pod
    /// in ways the checks see; anything else passes without a check.
    /// </summary>
    internal static bool ChangesWhatIsChecked(JsonObject pod, JsonObject old)
    {
        var spec = pod.Obj("spec");
        var oldSpec = old.Obj("spec");
        foreach (var list in (string[])["containers", "initContainers"])
        {
            var containers = spec.Items(list).Select(c => c.Item).ToList();
            var oldContainers = oldSpec.Items(list).Select(c => c.Item).ToList();
            if (containers.Count != oldContainers.Count
                || containers.Zip(oldContainers).Any(pair => pair.First.Str("image") != pair.Second.Str("image")))
            {
                return true;
            }
        }
        var oldEphemeral = oldSpec.Items("ephemeralContainers").Select(c => c.Item).ToList();
        foreach (var (_, container) in spec.Items("ephemeralContainers"))
        {
            var before = oldEphemeral.FirstOrDefault(o => o.Str("name") == container.Str("name"));
            if (before is null || before.Str("image") != container.Str("image"))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The Pod Security levels a namespace's labels set, and what is wrong with those labels.</summary>
internal sealed record NamespaceLevels(NamespacePolicy Policy, IReadOnlyList<FieldError> Errors);
