using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Scheme defaults of a PodSpec wherever one appears (pods and every pod template), with its
/// containers, probes, volumes and env sources — kubernetes pkg/apis/core/v1/defaults.go
/// (SetDefaults_PodSpec, _Container, _Probe, _Volume, _*VolumeSource, _ObjectFieldSelector,
/// _HTTPGetAction) and the +default tags of k8s.io/api core/v1 types.go (port protocols).
/// Only absent fields are filled, so applying twice changes nothing.
/// </summary>
internal static class PodSpecDefaults
{
    private const int DefaultFileMode = 420; // 0644
    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];
    private static readonly string[] ProbeNames = ["livenessProbe", "readinessProbe", "startupProbe"];

    public static void Apply(JsonObject spec)
    {
        spec.DefaultString("dnsPolicy", "ClusterFirst");
        spec.DefaultString("restartPolicy", "Always");
        spec.Default("securityContext", new JsonObject());
        spec.Default("terminationGracePeriodSeconds", 30);
        spec.DefaultString("schedulerName", "default-scheduler");
        // v1 conversion: the deprecated serviceAccount field feeds serviceAccountName and then mirrors it.
        if (spec.StrOrEmpty("serviceAccount") is { Length: > 0 } deprecated)
        {
            spec.DefaultString("serviceAccountName", deprecated);
        }
        if (spec.StrOrEmpty("serviceAccountName").Length > 0)
        {
            spec["serviceAccount"] = spec.StrOrEmpty("serviceAccountName");
        }
        foreach (var list in ContainerLists)
        {
            foreach (var (_, container) in spec.Items(list))
            {
                ApplyContainer(container);
            }
        }
        foreach (var (_, volume) in spec.Items("volumes"))
        {
            ApplyVolume(volume);
        }
    }

    private static void ApplyContainer(JsonObject container)
    {
        if (string.IsNullOrEmpty(container.Str("imagePullPolicy")))
        {
            container["imagePullPolicy"] = ImageReference.PullsAlways(container.StrOrEmpty("image")) ? "Always" : "IfNotPresent";
        }
        container.DefaultString("terminationMessagePath", "/dev/termination-log");
        container.DefaultString("terminationMessagePolicy", "File");
        // ResourceRequirements is a struct in Go, so kube-apiserver always prints "resources: {}".
        container.Default("resources", new JsonObject());
        foreach (var (_, port) in container.Items("ports"))
        {
            port.DefaultString("protocol", "TCP");
        }
        foreach (var probe in ProbeNames)
        {
            if (container.Obj(probe) is { } p)
            {
                ApplyProbe(p);
            }
        }
        if (container.Obj("lifecycle") is { } lifecycle)
        {
            ApplyHandler(lifecycle.Obj("postStart"));
            ApplyHandler(lifecycle.Obj("preStop"));
        }
        foreach (var (_, env) in container.Items("env"))
        {
            ApplyFieldRef(env.Obj("valueFrom").Obj("fieldRef"));
        }
    }

    private static void ApplyProbe(JsonObject probe)
    {
        probe.DefaultNonZero("timeoutSeconds", 1);
        probe.DefaultNonZero("periodSeconds", 10);
        probe.DefaultNonZero("successThreshold", 1);
        probe.DefaultNonZero("failureThreshold", 3);
        ApplyHandler(probe);
    }

    private static void ApplyHandler(JsonObject? handler)
    {
        if (handler.Obj("httpGet") is { } http)
        {
            http.DefaultString("path", "/");
            http.DefaultString("scheme", "HTTP");
        }
    }

    private static void ApplyFieldRef(JsonObject? fieldRef) => fieldRef?.DefaultString("apiVersion", "v1");

    private static void ApplyVolume(JsonObject volume)
    {
        // A volume with no source at all is an emptyDir (SetDefaults_Volume).
        if (!volume.Any(p => p.Key != "name" && p.Value is not null))
        {
            volume["emptyDir"] = new JsonObject();
        }
        volume.Obj("secret")?.Default("defaultMode", DefaultFileMode);
        volume.Obj("configMap")?.Default("defaultMode", DefaultFileMode);
        volume.Obj("hostPath")?.Default("type", "");
        if (volume.Obj("downwardAPI") is { } downward)
        {
            downward.Default("defaultMode", DefaultFileMode);
            foreach (var (_, item) in downward.Items("items"))
            {
                ApplyFieldRef(item.Obj("fieldRef"));
            }
        }
        if (volume.Obj("projected") is { } projected)
        {
            projected.Default("defaultMode", DefaultFileMode);
            foreach (var (_, source) in projected.Items("sources"))
            {
                source.Obj("serviceAccountToken")?.Default("expirationSeconds", 3600);
                foreach (var (_, item) in source.Obj("downwardAPI").Items("items"))
                {
                    ApplyFieldRef(item.Obj("fieldRef"));
                }
            }
        }
        if (volume.Obj("ephemeral").Obj("volumeClaimTemplate").Obj("spec") is { } claimSpec)
        {
            CoreDefaults.ApplyClaimSpec(claimSpec);
        }
    }
}

/// <summary>
/// The image pull policy default: Always for an image without tag or with tag latest,
/// IfNotPresent otherwise, including for unparsable references (pkg/util/parsers ParseImageName).
/// </summary>
internal static class ImageReference
{
    public static bool PullsAlways(string image)
    {
        if (image.Length == 0 || image.Any(char.IsWhiteSpace))
        {
            return false;
        }
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var hasDigest = at >= 0;
        var name = hasDigest ? image[..at] : image;
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        string? tag = colon > slash ? name[(colon + 1)..] : null;
        var repository = colon > slash ? name[..colon] : name;
        // Docker references have lower-case repositories; anything else fails to parse upstream.
        if (repository.Split('/').Skip(repository.Contains('/', StringComparison.Ordinal) ? 1 : 0).Any(part => part.Any(char.IsUpper)))
        {
            return false;
        }
        return tag is null ? !hasDigest : tag == "latest";
    }
}
