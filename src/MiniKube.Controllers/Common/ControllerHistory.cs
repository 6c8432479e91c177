using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// ControllerRevisions of a DaemonSet or StatefulSet (pkg/controller/history/controller_history.go
/// and the two controllers' revision code): each distinct pod template is stored once, as the
/// patch <c>{"spec":{"template":{…,"$patch":"replace"}}}</c> that <c>kubectl rollout undo</c>
/// applies, named "&lt;owner&gt;-&lt;hash&gt;" and labelled controller-revision-hash; the newest
/// carries the highest <c>revision</c>. Going back to an older template renumbers its revision
/// instead of storing it twice. The hash is FNV-1a of the patch's JSON (upstream hashes Go's
/// printed struct, which we cannot reproduce), so names differ from a real cluster's.
/// </summary>
/// <param name="revisions">The cache of the shared ControllerRevisions informer.</param>
public sealed class ControllerHistory(IKubernetes client, ObjectCache<V1ControllerRevision> revisions)
{
    public const string HashLabel = "controller-revision-hash";

    /// <summary>The cached revisions <paramref name="owner"/> controls (upstream's ListControllerRevisions).</summary>
    public List<V1ControllerRevision> ListOwned(IKubernetesObject<V1ObjectMeta> owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return [.. revisions.ListNamespace(owner.Metadata.NamespaceProperty).Where(r => ControllerRefs.IsControlledBy(r, owner.Metadata.Uid))];
    }

    /// <summary>The revision patch for <paramref name="template"/>.</summary>
    public static JsonObject Patch(V1PodTemplateSpec template)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(template))!.AsObject();
        node["$patch"] = "replace";
        return new JsonObject { ["spec"] = new JsonObject { ["template"] = node } };
    }

    /// <summary>A short hash of the revision data (and collision count), in the alphabet of apimachinery's rand.SafeEncodeString.</summary>
    public static string Hash(string data, int? collisionCount)
    {
        ArgumentNullException.ThrowIfNull(data);
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(data + (collisionCount is { } c ? c.ToString(CultureInfo.InvariantCulture) : "")))
        {
            hash = (hash ^ b) * 16777619;
        }
        // rand.SafeEncodeString of the decimal form: each character picks a letter by its code.
        return string.Concat(hash.ToString(CultureInfo.InvariantCulture).Select(d => alphabet[d % alphabet.Length]));
    }

    /// <summary>The revision's data as JSON text, for comparisons (cached revisions hold a JsonElement).</summary>
    public static string DataOf(V1ControllerRevision revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        return revision.Data switch
        {
            null => "",
            JsonNode node => node.ToJsonString(),
            System.Text.Json.JsonElement element => JsonNode.Parse(element.GetRawText())!.ToJsonString(),
            var other => KubernetesJson.Serialize(other),
        };
    }

    /// <summary>
    /// The revision for <paramref name="template"/> among <paramref name="revisions"/> (the owner's),
    /// made or renumbered to be the newest; returns it with its hash.
    /// </summary>
    public async Task<V1ControllerRevision> EnsureCurrentAsync(
        IKubernetesObject<V1ObjectMeta> owner, string apiVersion, string kind, V1PodTemplateSpec template, int? collisionCount,
        IReadOnlyList<V1ControllerRevision> revisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(revisions);
        var data = Patch(template);
        var text = data.ToJsonString();
        var maxRevision = revisions.Count == 0 ? 0 : revisions.Max(r => r.Revision);
        var existing = revisions.Where(r => DataOf(r) == text).OrderByDescending(r => r.Revision).FirstOrDefault();
        if (existing is not null)
        {
            if (existing.Revision == maxRevision)
            {
                return existing;
            }
            // A rollback: the old template becomes the newest revision.
            var patch = new V1Patch($"{{\"revision\":{maxRevision + 1}}}", V1Patch.PatchType.MergePatch);
            return await client.AppsV1.PatchNamespacedControllerRevisionAsync(patch, existing.Metadata.Name, existing.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        var hash = Hash(text, collisionCount);
        var labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : new Dictionary<string, string>();
        labels[HashLabel] = hash;
        var revision = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                Name = $"{owner.Metadata.Name}-{hash}",
                NamespaceProperty = owner.Metadata.NamespaceProperty,
                Labels = labels,
                OwnerReferences = [ControllerRefs.To(owner, apiVersion, kind)],
            },
            Data = data,
            Revision = maxRevision + 1,
        };
        try
        {
            return await client.AppsV1.CreateNamespacedControllerRevisionAsync(revision, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by an earlier sync the cache has not shown us yet; the same name means the same data (collisions aside).
            return await client.AppsV1.ReadNamespacedControllerRevisionAsync(revision.Metadata.Name, owner.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
        }
    }

    /// <summary>Deletes the oldest revisions beyond <paramref name="limit"/> that no live pod uses and that are not <paramref name="keep"/>.</summary>
    public async Task TruncateAsync(IReadOnlyList<V1ControllerRevision> revisions, IEnumerable<string> hashesInUse, IReadOnlySet<string> keep, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        var used = hashesInUse.ToHashSet(StringComparer.Ordinal);
        var old = revisions
            .Where(r => !keep.Contains(r.Metadata.Name) && !(r.Metadata.Labels?.TryGetValue(HashLabel, out var h) == true && used.Contains(h)))
            .OrderBy(r => r.Revision)
            .ToList();
        foreach (var revision in old.Take(Math.Max(0, old.Count - limit)))
        {
            try
            {
                await client.AppsV1.DeleteNamespacedControllerRevisionAsync(revision.Metadata.Name, revision.Metadata.NamespaceProperty, cancellationToken: cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The pod template a revision recorded (its patch's spec.template, without the "$patch" directive).</summary>
    public static V1PodTemplateSpec TemplateOf(V1ControllerRevision revision)
    {
        var data = JsonNode.Parse(DataOf(revision));
        var template = data?["spec"]?["template"]?.DeepClone().AsObject() ?? new JsonObject();
        template.Remove("$patch");
        return KubernetesJson.Deserialize<V1PodTemplateSpec>(template.ToJsonString());
    }

    /// <summary>The controller-revision-hash label of a pod (or any object), or null.</summary>
    public static string? HashLabelOf(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.Labels is { } labels && labels.TryGetValue(HashLabel, out var hash) ? hash : null;
    }

    /// <summary>The hash a revision stands for (its label, else the name's suffix).</summary>
    public static string HashOf(V1ControllerRevision revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        return revision.Metadata.Labels?.TryGetValue(HashLabel, out var hash) == true ? hash : revision.Metadata.Name[(revision.Metadata.Name.LastIndexOf('-') + 1)..];
    }
}
