using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace MiniKube.Client.Dynamic;

/// <summary>
/// Any object reduced to its type and metadata (apimachinery's PartialObjectMetadata): what
/// the metadata informer caches for kinds the client has no model for. Reading an object of
/// any kind into it keeps apiVersion, kind and metadata and drops the rest.
/// </summary>
public sealed class MetadataObject : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}
