
namespace MiniKube.Scheduler.Cache;

/// <summary>
/// What the scheduler needs to know about one pod, computed once when the pod is seen
/// (upstream's framework.PodInfo, pkg/scheduler/framework/types.go): its requests, host ports,
/// controlling owner and affinity terms. Immutable; the <see cref="Pod"/> it wraps is the
/// informer's shared object and must never be mutated.
/// </summary>
internal sealed class PodInfo
{
    /// <summary>upstream schedutil.DefaultMilliCPURequest: what a container without a CPU request counts as when scoring.</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>upstream schedutil.DefaultMemoryRequest (200 MB).</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    private static readonly Dictionary<string, string> NoLabels = new(StringComparer.Ordinal);

    private PodInfo(V1Pod pod)
    {
        Pod = pod;
        Key = ObjectKeys.Of(pod);
        Namespace = pod.Metadata.NamespaceProperty ?? "";
        Name = pod.Metadata.Name;
        Uid = pod.Metadata.Uid ?? "";
        NodeName = pod.Spec?.NodeName is { Length: > 0 } node ? node : null;
        Labels = pod.Metadata.Labels ?? NoLabels;
        OwnerUid = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid;
        var spec = pod.Spec ?? new V1PodSpec();
        (Requests, NonZeroMilliCpu, NonZeroMemory) = ComputeRequests(spec);
        HostPorts = [.. (spec.Containers ?? []).SelectMany(c => c.Ports ?? []).Where(p => p.HostPort is > 0).Select(HostPort.Of)];
        AffinityTerms = Terms(pod, spec.Affinity?.PodAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        AntiAffinityTerms = Terms(pod, spec.Affinity?.PodAntiAffinity?.RequiredDuringSchedulingIgnoredDuringExecution);
        ClaimNames = [.. (spec.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null).Select(v => v.PersistentVolumeClaim.ClaimName)];
    }

    private PodInfo(PodInfo other, string nodeName)
    {
        Pod = other.Pod;
        Key = other.Key;
        Namespace = other.Namespace;
        Name = other.Name;
        Uid = other.Uid;
        NodeName = nodeName;
        Labels = other.Labels;
        OwnerUid = other.OwnerUid;
        Requests = other.Requests;
        NonZeroMilliCpu = other.NonZeroMilliCpu;
        NonZeroMemory = other.NonZeroMemory;
        HostPorts = other.HostPorts;
        AffinityTerms = other.AffinityTerms;
        AntiAffinityTerms = other.AntiAffinityTerms;
        ClaimNames = other.ClaimNames;
    }

    public V1Pod Pod { get; }

    /// <summary>namespace/name, the informer's key.</summary>
    public string Key { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    /// <summary>spec.nodeName; null while unbound.</summary>
    public string? NodeName { get; }

    public IDictionary<string, string> Labels { get; }

    /// <summary>The uid of the controlling owner (ReplicaSet, StatefulSet, Job ...), the group that spreading applies to.</summary>
    public string? OwnerUid { get; }

    /// <summary>Requests as the fit filter counts them: containers summed, init containers as a maximum, plus overhead.</summary>
    public ResourceAmounts Requests { get; }

    /// <summary>CPU request for scoring, with <see cref="DefaultMilliCpuRequest"/> for containers that set none.</summary>
    public long NonZeroMilliCpu { get; }

    /// <summary>Memory request for scoring, with <see cref="DefaultMemoryRequest"/> for containers that set none.</summary>
    public long NonZeroMemory { get; }

    public IReadOnlyList<HostPort> HostPorts { get; }

    public IReadOnlyList<AffinityTerm> AffinityTerms { get; }

    public IReadOnlyList<AffinityTerm> AntiAffinityTerms { get; }

    /// <summary>The PersistentVolumeClaims its volumes name; empty for most pods, which then skip volume binding.</summary>
    public IReadOnlyList<string> ClaimNames { get; }

    public IList<V1Toleration> Tolerations => Pod.Spec?.Tolerations ?? [];

    public bool PreemptionNever => Pod.Spec?.PreemptionPolicy == "Never";

    /// <summary>spec.priority, set by the API server's Priority admission; 0 when absent (corev1helpers.PodPriority).</summary>
    public int Priority => PriorityOf(Pod);

    public static int PriorityOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Spec?.Priority ?? 0;
    }

    public static PodInfo From(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return new PodInfo(pod);
    }

    /// <summary>The same pod counted on <paramref name="nodeName"/> (an assumption, before the binding shows in the watch).</summary>
    public PodInfo WithNode(string nodeName) => new(this, nodeName);

    /// <summary>Succeeded or Failed: the pod no longer holds anything on its node.</summary>
    public static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    /// <summary>
    /// upstream resource.PodRequests (component-helpers): regular containers and sidecars (init
    /// containers with restartPolicy Always) run together and add up; each ordinary init
    /// container runs alone beside the sidecars started before it; the pod needs the larger of
    /// the two, plus its overhead. Limits stand in for missing requests, as API defaulting does.
    /// </summary>
    private static (ResourceAmounts Requests, long NonZeroCpu, long NonZeroMemory) ComputeRequests(V1PodSpec spec)
    {
        var sum = new ResourceAmounts();
        var nonZero = new ResourceAmounts();
        foreach (var container in spec.Containers ?? [])
        {
            sum.Add(RequestsOf(container));
            nonZero.Add(NonZero(container));
        }
        var sidecars = new ResourceAmounts();
        var sidecarsNonZero = new ResourceAmounts();
        var initMax = new ResourceAmounts();
        var initMaxNonZero = new ResourceAmounts();
        foreach (var init in spec.InitContainers ?? [])
        {
            var request = new ResourceAmounts();
            request.Add(RequestsOf(init));
            var requestNonZero = NonZero(init);
            if (init.RestartPolicy == "Always")
            {
                sidecars.Add(request);
                sidecarsNonZero.Add(requestNonZero);
                initMax.Max(sidecars);
                initMaxNonZero.Max(sidecarsNonZero);
            }
            else
            {
                request.Add(sidecars);
                requestNonZero.Add(sidecarsNonZero);
                initMax.Max(request);
                initMaxNonZero.Max(requestNonZero);
            }
        }
        sum.Add(sidecars);
        sum.Max(initMax);
        sum.Add(spec.Overhead);
        nonZero.Add(sidecarsNonZero);
        nonZero.Max(initMaxNonZero);
        nonZero.Add(spec.Overhead);
        return (sum, nonZero.MilliCpu, nonZero.Memory);
    }

    private static IDictionary<string, ResourceQuantity>? RequestsOf(V1Container container)
    {
        var requests = container.Resources?.Requests;
        var limits = container.Resources?.Limits;
        if (limits is null || limits.Count == 0)
        {
            return requests;
        }
        var merged = new Dictionary<string, ResourceQuantity>(limits, StringComparer.Ordinal);
        foreach (var (name, quantity) in requests ?? new Dictionary<string, ResourceQuantity>())
        {
            merged[name] = quantity;
        }
        return merged;
    }

    // upstream framework.getNonMissingContainerRequests: only a missing request gets the default; an explicit 0 stays 0.
    private static ResourceAmounts NonZero(V1Container container)
    {
        var requests = RequestsOf(container);
        var amounts = new ResourceAmounts
        {
            MilliCpu = requests is not null && requests.TryGetValue("cpu", out var cpu) ? Quantities.Milli(cpu) : DefaultMilliCpuRequest,
            Memory = requests is not null && requests.TryGetValue("memory", out var memory) ? Quantities.Value(memory) : DefaultMemoryRequest,
        };
        return amounts;
    }

    private static AffinityTerm[] Terms(V1Pod pod, IList<V1PodAffinityTerm>? terms) =>
        terms is null ? [] : [.. terms.Select(t => AffinityTerm.Of(pod.Metadata.NamespaceProperty ?? "", t))];
}

/// <summary>A host port a container claims (protocol, port, host IP with 0.0.0.0 meaning every address).</summary>
internal readonly record struct HostPort(string Protocol, int Port, string Ip)
{
    public const string AnyIp = "0.0.0.0";

    public static HostPort Of(V1ContainerPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return new HostPort(port.Protocol is { Length: > 0 } protocol ? protocol : "TCP", port.HostPort ?? 0, port.HostIP is { Length: > 0 } ip ? ip : AnyIp);
    }
}

/// <summary>
/// A required pod (anti-)affinity term, resolved against the pod that declares it (upstream
/// framework.AffinityTerm): the namespaces it looks in (null: all), its label selector and topology key.
/// A namespaceSelector is honoured only when it is empty (all namespaces); the scheduler keeps no
/// namespace labels, so a non-empty one adds no namespaces beyond those listed. The selector is
/// compiled once; one that does not convert (upstream: a parse error) matches no pod.
/// </summary>
internal sealed record AffinityTerm(IReadOnlySet<string>? Namespaces, V1LabelSelector? Selector, string TopologyKey)
{
    private readonly LabelSelector _compiled = Compile(Selector);

    public static AffinityTerm Of(string podNamespace, V1PodAffinityTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var listed = term.Namespaces ?? [];
        var allNamespaces = term.NamespaceSelector is { } selector
            && (selector.MatchLabels is null || selector.MatchLabels.Count == 0)
            && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);
        IReadOnlySet<string>? namespaces = allNamespaces
            ? null
            : listed.Count == 0 && term.NamespaceSelector is null ? new HashSet<string>(StringComparer.Ordinal) { podNamespace } : listed.ToHashSet(StringComparer.Ordinal);
        return new AffinityTerm(namespaces, term.LabelSelector, term.TopologyKey ?? "");
    }

    public bool Matches(PodInfo pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return (Namespaces is null || Namespaces.Contains(pod.Namespace)) && _compiled.Matches(pod.Labels);
    }

    private static LabelSelector Compile(V1LabelSelector? selector)
    {
        try
        {
            return LabelSelector.From(selector);
        }
        catch (InvalidSelectorException)
        {
            return LabelSelector.Nothing;
        }
    }
}
