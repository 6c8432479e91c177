using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Defaults that only a Pod gets, not a pod template: SetDefaults_Pod (enableServiceLinks,
/// requests copied from limits, host ports under hostNetwork) and, on create, the ServiceAccount
/// and DefaultTolerationSeconds admission plugins and the pod strategy's initial status
/// (plugin/pkg/admission/*, pkg/registry/core/pod/strategy.go PrepareForCreate). Priority is the
/// Priority admission plugin's (AdmissionPlugins/PriorityAdmission), which reads PriorityClasses.
/// </summary>
internal static class PodDefaults
{
    private const string NotReadyTaint = Taints.NotReady;
    private const string UnreachableTaint = Taints.Unreachable;
    private const long DefaultTolerationSeconds = 300;

    public static void Apply(JsonObject pod)
    {
        var spec = pod.Ensure("spec");
        PodSpecDefaults.Apply(spec);
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var (_, container) in spec.Items(list))
            {
                CopyLimitsToRequests(container);
            }
        }
        spec.Default("enableServiceLinks", true);
        if (spec.Bool("hostNetwork") == true)
        {
            foreach (var list in new[] { "containers", "initContainers" })
            {
                foreach (var (_, container) in spec.Items(list))
                {
                    foreach (var (_, port) in container.Items("ports"))
                    {
                        if (port.Int("hostPort") is null or 0 && port.Int("containerPort") is { } containerPort)
                        {
                            port["hostPort"] = containerPort;
                        }
                    }
                }
            }
        }
    }

    public static void ApplyOnCreate(JsonObject pod)
    {
        var spec = pod.Ensure("spec");
        // ServiceAccount admission, which leaves mirror pods alone (NodeRestriction refuses a mirror
        // pod naming an account); v1 also mirrors the name into the deprecated serviceAccount field.
        if (!PodReferences.IsMirror(pod))
        {
            spec.DefaultString("serviceAccountName", "default");
            spec["serviceAccount"] = spec.StrOrEmpty("serviceAccountName");
        }
        AddDefaultTolerations(spec);
        var status = pod.Ensure("status");
        status.DefaultString("phase", "Pending");
        status.DefaultString("qosClass", QosClass.Of(spec));
    }

    private static void CopyLimitsToRequests(JsonObject container)
    {
        if (container.Obj("resources").Obj("limits") is not { } limits)
        {
            return;
        }
        var requests = container.Obj("resources")!.Ensure("requests");
        foreach (var (name, value) in limits)
        {
            if (!requests.ContainsKey(name))
            {
                requests[name] = value?.DeepClone();
            }
        }
    }

    private static void AddDefaultTolerations(JsonObject spec)
    {
        var toleratesNotReady = false;
        var toleratesUnreachable = false;
        foreach (var (_, toleration) in spec.Items("tolerations"))
        {
            var key = toleration.StrOrEmpty("key");
            var effect = toleration.StrOrEmpty("effect");
            if (effect is not ("NoExecute" or ""))
            {
                continue;
            }
            toleratesNotReady |= key is NotReadyTaint or "";
            toleratesUnreachable |= key is UnreachableTaint or "";
        }
        if (toleratesNotReady && toleratesUnreachable)
        {
            return;
        }
        if (spec["tolerations"] is not JsonArray tolerations)
        {
            tolerations = [];
            spec["tolerations"] = tolerations;
        }
        if (!toleratesNotReady)
        {
            tolerations.Add(Toleration(NotReadyTaint));
        }
        if (!toleratesUnreachable)
        {
            tolerations.Add(Toleration(UnreachableTaint));
        }
    }

    private static JsonObject Toleration(string key) => new()
    {
        ["key"] = key,
        ["operator"] = "Exists",
        ["effect"] = "NoExecute",
        ["tolerationSeconds"] = DefaultTolerationSeconds,
    };
}

/// <summary>
/// A pod's quality-of-service class from its containers' cpu and memory requests and limits
/// (pkg/apis/core/helper/qos GetPodQOS): BestEffort without any, Guaranteed when every container
/// limits both and requests equal limits, Burstable otherwise.
/// </summary>
internal static class QosClass
{
    private static readonly string[] Tracked = ["cpu", "memory"];

    public static string Of(JsonObject spec)
    {
        var any = false;
        var guaranteed = true;
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var (_, container) in spec.Items(list))
            {
                var requests = container.Obj("resources").Obj("requests");
                var limits = container.Obj("resources").Obj("limits");
                foreach (var resource in Tracked)
                {
                    var hasRequest = Quantity.TryParse(requests?[resource], out var request) && request != 0;
                    var hasLimit = Quantity.TryParse(limits?[resource], out var limit) && limit != 0;
                    any |= hasRequest || hasLimit;
                    if (!hasLimit || (hasRequest && request != limit))
                    {
                        guaranteed = false;
                    }
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
