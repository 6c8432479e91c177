using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// What the Endpoints and EndpointSlice controllers agree on about a Service's pods
/// (pkg/controller/util/endpointslice ShouldPodBeInEndpoints, ShouldSetHostname,
/// GetServicesToUpdateOnPodChange; pkg/api/v1/pod FindPort, IsPodReady). IPv4 only.
/// </summary>
public static class EndpointPods
{
    /// <summary>Whether the service gets endpoints from a controller: it selects pods and is not an ExternalName.</summary>
    public static bool HasSelector(V1Service service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Spec?.Selector is { Count: > 0 } && service.Spec.Type != "ExternalName";
    }

    /// <summary>The pods of <paramref name="service"/> from the pod cache.</summary>
    public static IReadOnlyList<V1Pod> Selected(V1Service service, Informer<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(pods);
        return pods.Cache.ListNamespace(service.Metadata.NamespaceProperty, LabelSelector.FromSet(service.Spec.Selector));
    }

    /// <summary>
    /// Whether a pod is listed at all: it has an IP, is not finished (by its restart policy),
    /// and — unless <paramref name="includeTerminating"/> — is not being deleted.
    /// </summary>
    public static bool ShouldBeListed(V1Pod pod, bool includeTerminating)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (AddressOf(pod) is null)
        {
            return false;
        }
        if (!includeTerminating && pod.Metadata.DeletionTimestamp is not null)
        {
            return false;
        }
        var phase = pod.Status?.Phase;
        return pod.Spec?.RestartPolicy switch
        {
            "Never" => phase is not ("Failed" or "Succeeded"),
            "OnFailure" => phase != "Succeeded",
            _ => phase is not ("Failed" or "Succeeded"),
        };
    }

    /// <summary>The pod's IPv4 address, or null when it has none yet.</summary>
    public static string? AddressOf(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var candidates = (pod.Status?.PodIPs?.Select(p => p.Ip) ?? []).Append(pod.Status?.PodIP);
        return candidates.FirstOrDefault(ip => ip is { Length: > 0 } && !ip.Contains(':', StringComparison.Ordinal));
    }

    /// <summary>The pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
    }

    /// <summary>The hostname a pod's endpoint carries: set only when the pod names this service as its subdomain.</summary>
    public static string? HostnameFor(V1Pod pod, V1Service service)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(service);
        return pod.Spec?.Hostname is { Length: > 0 } hostname && pod.Spec.Subdomain == service.Metadata.Name
            && pod.Metadata.NamespaceProperty == service.Metadata.NamespaceProperty ? hostname : null;
    }

    /// <summary>
    /// The pod port a service port sends to: targetPort's number, or the containerPort of the
    /// container port with that name and protocol (sidecar init containers included); null when
    /// the pod has no such port.
    /// </summary>
    public static int? FindPort(V1Pod pod, V1ServicePort servicePort)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(servicePort);
        var target = servicePort.TargetPort?.Value;
        if (string.IsNullOrEmpty(target))
        {
            return servicePort.Port;
        }
        if (int.TryParse(target, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        var protocol = servicePort.Protocol ?? "TCP";
        var containers = (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers?.Where(c => c.RestartPolicy == "Always") ?? []);
        return containers
            .SelectMany(c => c.Ports ?? [])
            .FirstOrDefault(p => p.Name == target && (p.Protocol ?? "TCP") == protocol)?.ContainerPort;
    }

    /// <summary>The reference an endpoint carries to its pod.</summary>
    public static V1ObjectReference TargetRef(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid };
    }

    /// <summary>
    /// The latest change among the service and its listed pods (each pod's Ready transition, or
    /// its creation): an approximation of upstream's trigger-time tracker, which also feeds the
    /// endpoints-latency SLI.
    /// </summary>
    public static DateTime LastChangeTriggerTime(V1Service service, IEnumerable<V1Pod> pods)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(pods);
        var latest = service.Metadata.CreationTimestamp ?? DateTime.MinValue;
        foreach (var pod in pods)
        {
            var changed = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime ?? pod.Metadata.CreationTimestamp;
            if (changed > latest)
            {
                latest = changed.Value;
            }
        }
        return latest;
    }

    /// <summary>The annotation's form of a trigger time.</summary>
    public static string FormatTriggerTime(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The keys of the services a pod change concerns: those selecting the pod before or after.
    /// </summary>
    public static IEnumerable<NamespacedName> ServicesFor(ObjectChange<V1Pod> change, Informer<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var pod = change.Latest;
        var keys = new HashSet<NamespacedName>();
        foreach (var service in services.Cache.ListNamespace(pod.Metadata.NamespaceProperty))
        {
            if (!HasSelector(service))
            {
                continue;
            }
            var selector = LabelSelector.FromSet(service.Spec.Selector);
            if ((change.New is { } now && selector.Matches(now)) || (change.Old is { } before && selector.Matches(before)))
            {
                keys.Add(NamespacedName.Of(service));
            }
        }
        return keys;
    }

    /// <summary>
    /// The labels of the endpoints written for <paramref name="service"/>: the service's own, plus
    /// <paramref name="ours"/> (the writer's managed-by, the slice's service-name), plus the headless
    /// marker when it has no cluster IP (endpoints_controller.go and reconciler.go setEndpointSliceLabels).
    /// </summary>
    public static Dictionary<string, string> LabelsFor(V1Service service, params (string Key, string Value)[] ours)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(ours);
        var labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in ours)
        {
            labels[key] = value;
        }
        if (service.Spec.ClusterIP is null or "" or "None")
        {
            labels[WellKnownLabels.ServiceHeadless] = "";
        }
        else
        {
            labels.Remove(WellKnownLabels.ServiceHeadless);
        }
        return labels;
    }

    /// <summary>Whether the labels on the cluster are exactly <paramref name="desired"/>.</summary>
    public static bool SameLabels(IDictionary<string, string>? current, Dictionary<string, string> desired)
    {
        ArgumentNullException.ThrowIfNull(desired);
        return current is not null && current.Count == desired.Count && desired.All(p => current.TryGetValue(p.Key, out var v) && v == p.Value);
    }
}
