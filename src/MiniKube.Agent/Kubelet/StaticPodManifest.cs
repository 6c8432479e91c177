using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Turns one manifest file into the static pods it declares, as upstream's file source does
/// (pkg/kubelet/config/file.go, common.go applyDefaults): the pod's uid is a hash of its content,
/// the node and the file path, so the same file always gives the same uid and any edit a new
/// one; its name gets "-&lt;node&gt;" appended; namespace defaults to "default"; it is bound to
/// the node, tolerates every NoExecute taint, and carries config.source, config.hash and
/// config.seen. YAML files may hold several documents, each a Pod; JSON files hold one.
/// A file that cannot be used throws <see cref="InvalidStaticPodException"/> saying why.
/// </summary>
internal static partial class StaticPodManifest
{
    /// <summary>Whether the directory scan reads this file (hidden files are skipped, as upstream does).</summary>
    public static bool IsManifest(string path)
    {
        var name = Path.GetFileName(path);
        var extension = Path.GetExtension(name);
        return !name.StartsWith('.')
            && (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase)
                || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase)
                || extension.Equals(".json", StringComparison.OrdinalIgnoreCase));
    }

    public static IReadOnlyList<V1Pod> Parse(string path, string content, string nodeName, DateTimeOffset seen)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(nodeName);
        var decoded = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase)
            ? [DecodeJson(content)]
            : DecodeYaml(content);
        if (decoded.Count == 0)
        {
            throw new InvalidStaticPodException("the file holds no pod");
        }
        var pods = decoded.Select(pod => WithDefaults(pod, path, nodeName, seen)).ToList();
        if (pods.GroupBy(ObjectKeysOf).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidStaticPodException($"pod {twice.Key} is declared twice");
        }
        return pods;
    }

    /// <summary>The uid of a decoded pod: a hash of its content, the node and the file (common.go applyDefaults).</summary>
    public static string Uid(V1Pod decoded, string path, string nodeName)
    {
        var text = KubernetesJson.Serialize(decoded) + "host:" + nodeName + "file:" + path;
        // 128 bits, 32 hex digits, as long as upstream's hash.
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }

    private static V1Pod DecodeJson(string content)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Pod>(content) ?? throw new InvalidStaticPodException("the file holds no pod");
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
        {
            throw new InvalidStaticPodException($"not a valid Pod in JSON: {e.Message}");
        }
    }

    private static List<V1Pod> DecodeYaml(string content)
    {
        var pods = new List<V1Pod>();
        foreach (var document in DocumentSeparator().Split(content))
        {
            if (string.IsNullOrWhiteSpace(WithoutComments(document)))
            {
                continue;
            }
            try
            {
                pods.Add(KubernetesYaml.Deserialize<V1Pod>(document));
            }
            catch (Exception e) when (e is YamlException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
            {
                throw new InvalidStaticPodException($"not a valid Pod in YAML: {(e.InnerException ?? e).Message}");
            }
        }
        return pods;
    }

    private static string WithoutComments(string document) =>
        string.Join('\n', document.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));

    private static V1Pod WithDefaults(V1Pod decoded, string path, string nodeName, DateTimeOffset seen)
    {
        Validate(decoded);
        var uid = decoded.Metadata.Uid is { Length: > 0 } given ? given : Uid(decoded, path, nodeName);
        // A deep copy: the hash above was taken of the pod as written.
        var pod = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(decoded));
        pod.Metadata.Uid = uid;
        pod.Metadata.Name = $"{decoded.Metadata.Name}-{nodeName.ToLowerInvariant()}";
        pod.Metadata.NamespaceProperty = decoded.Metadata.NamespaceProperty is { Length: > 0 } ns ? ns : "default";
        pod.Spec.NodeName = nodeName;
        pod.Metadata.Annotations = new Dictionary<string, string>(pod.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [StaticPods.HashAnnotation] = uid,
            [StaticPods.SourceAnnotation] = StaticPods.FileSource,
            [StaticPods.SeenAnnotation] = seen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture),
        };
        // Static pods stay through node problems (common.go: the default NoExecute toleration).
        var tolerations = pod.Spec.Tolerations?.ToList() ?? [];
        if (!tolerations.Any(t => t.OperatorProperty == "Exists" && t.Effect == "NoExecute" && string.IsNullOrEmpty(t.Key)))
        {
            tolerations.Add(new V1Toleration { OperatorProperty = "Exists", Effect = "NoExecute" });
        }
        pod.Spec.Tolerations = tolerations;
        pod.Status = new V1PodStatus { Phase = "Pending" };
        return pod;
    }

    private static void Validate(V1Pod pod)
    {
        if (pod.ApiVersion != "v1" || pod.Kind != "Pod")
        {
            throw new InvalidStaticPodException($"apiVersion {pod.ApiVersion ?? "(none)"}, kind {pod.Kind ?? "(none)"}: only v1 Pods can be static pods");
        }
        if (pod.Metadata?.Name is not { Length: > 0 } name)
        {
            throw new InvalidStaticPodException("metadata.name is required");
        }
        if (Formats.IsDns1123Subdomain(name).Count > 0 || name.Length > 200)
        {
            throw new InvalidStaticPodException($"metadata.name \"{name}\" must be a lowercase DNS subdomain");
        }
        if (pod.Metadata.NamespaceProperty is { Length: > 0 } ns && Formats.IsDns1123Label(ns).Count > 0)
        {
            throw new InvalidStaticPodException($"metadata.namespace \"{ns}\" must be a lowercase DNS label");
        }
        if (pod.Spec?.Containers is not { Count: > 0 } containers)
        {
            throw new InvalidStaticPodException("spec.containers must have at least one container");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in containers.Concat(pod.Spec.InitContainers ?? []))
        {
            if (container.Name is not { Length: > 0 } containerName || Formats.IsDns1123Label(containerName).Count > 0)
            {
                throw new InvalidStaticPodException($"container name \"{container.Name}\" must be a lowercase DNS label");
            }
            if (!names.Add(containerName))
            {
                throw new InvalidStaticPodException($"container name \"{containerName}\" is used twice");
            }
            if (string.IsNullOrWhiteSpace(container.Image))
            {
                throw new InvalidStaticPodException($"container {containerName}: image is required");
            }
        }
    }

    private static string ObjectKeysOf(V1Pod pod) => $"{pod.Namespace()}/{pod.Name()}";

    // A line of "---" (optionally followed by a comment) separates YAML documents.
    [GeneratedRegex(@"^---[ \t]*(#.*)?\r?$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();
}

/// <summary>A manifest file that cannot become a static pod; the message says why.</summary>
internal sealed class InvalidStaticPodException(string message) : Exception(message);
