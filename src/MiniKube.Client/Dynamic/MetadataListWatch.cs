using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace MiniKube.Client.Dynamic;

/// <summary>
/// An <see cref="IListWatch{T}"/> over one collection path of any resource, e.g.
/// "apis/example.com/v1/widgets" (every namespace), keeping only each object's metadata
/// (client-go's metadata informer; our API server does not serve the PartialObjectMetadata
/// transform, so it reads plain JSON).
/// </summary>
public sealed class MetadataListWatch(RawApi api, string collectionPath) : RawListWatch<MetadataObject>(api, collectionPath);

/// <summary>
/// An <see cref="IListWatch{T}"/> over one collection path of any resource, read as the model
/// <typeparamref name="T"/> (client-go's dynamic informer with a typed model: custom resources
/// KubernetesClient has no operations for). Watches ask for bookmarks and end after 5–10
/// minutes, as <see cref="ListWatch{T, TList}"/>'s do.
/// </summary>
public class RawListWatch<T>(RawApi api, string collectionPath) : IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    public string CollectionPath { get; } = collectionPath;

    public async Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        var list = KubernetesJson.Deserialize<RawList>(await api.SendAsync(HttpMethod.Get, CollectionPath, null, cancellationToken));
        return (list.Items ?? [], list.Metadata?.ResourceVersion ?? "");
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={300 + Random.Shared.Next(300)}";
        using var response = await api.StreamAsync(CollectionPath + query, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var watchEvent = KubernetesJson.Deserialize<RawEvent>(line);
            var type = Enum.Parse<WatchEventType>(watchEvent.Type, ignoreCase: true);
            if (type == WatchEventType.Error)
            {
                // The Informer re-lists on 410 (version gone) and retries anything else.
                throw new KubernetesException(KubernetesJson.Deserialize<V1Status>(watchEvent.Object.GetRawText()));
            }
            yield return (type, KubernetesJson.Deserialize<T>(watchEvent.Object.GetRawText()));
        }
    }

    private sealed class RawList
    {
        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ListMeta? Metadata { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<T>? Items { get; set; }
    }

    private sealed class RawEvent
    {
        [System.Text.Json.Serialization.JsonPropertyName("type")]
        public string Type { get; set; } = "";

        [System.Text.Json.Serialization.JsonPropertyName("object")]
        public JsonElement Object { get; set; }
    }
}
