using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;

namespace MiniKube.Controllers.Deployment;

/// <summary>
/// The pod-template-hash of a Deployment's ReplicaSets (pkg/controller/controller_utils.go
/// ComputeHash, apimachinery util/rand SafeEncodeString): FNV-1a (32 bit) of the template, then
/// of the collision count as 8 little-endian bytes when there is one; the decimal number is
/// spelled with the alphabet "bcdfghjklmnpqrstvwxz2456789", one letter per digit, so names look
/// like upstream's ("nginx-7c5ddbdf54"). Upstream hashes a Go-specific dump of the struct; we
/// hash a canonical JSON form (keys sorted, nulls and empty arrays dropped), so the same
/// template always gives the same name here, though not the same name as in a Go cluster.
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        ArgumentNullException.ThrowIfNull(template);
        var hash = Fnv1a(2166136261, Encoding.UTF8.GetBytes(Canonical(template)));
        if (collisionCount is { } count)
        {
            var bytes = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Fnv1a(hash, bytes);
        }
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Each character replaced by a letter of the safe alphabet (rand.SafeEncodeString).</summary>
    public static string SafeEncode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = SafeAlphabet[s[i] % SafeAlphabet.Length];
            }
        });
    }

    /// <summary>Whether two templates are equal once their pod-template-hash labels are ignored (deployment/util EqualIgnoreHash; a missing and an empty list compare equal, as in apimachinery's semantic equality).</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        return Canonical(a, withoutHash: true) == Canonical(b, withoutHash: true);
    }

    private static uint Fnv1a(uint hash, byte[] data)
    {
        foreach (var b in data)
        {
            hash = unchecked((hash ^ b) * 16777619);
        }
        return hash;
    }

    private static string Canonical(V1PodTemplateSpec template, bool withoutHash = false)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(template))!;
        if (withoutHash && node["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(Label);
        }
        return (Normalize(node) ?? new JsonObject()).ToJsonString();
    }

    /// <summary>A copy with object keys in ordinal order, nulls and empty arrays left out. Empty objects stay: "emptyDir: {}" means something.</summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (Normalize(value) is { } kept)
                    {
                        sorted[key] = kept;
                    }
                }
                return sorted;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Normalize(item));
                }
                return items.Count == 0 ? null : items;
            default:
                return node.DeepClone();
        }
    }
}
