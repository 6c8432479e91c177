using System.Security.Cryptography;
using System.Text.Encodings.Web;
using k8s.Models;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// The OpenAPI v3 documents of the served API, as kube-apiserver publishes them
/// (kube-openapi pkg/handler3): an index at <c>/openapi/v3</c> naming one document per
/// group-version with a content hash, and the documents themselves at
/// <c>/openapi/v3/api/v1</c> and <c>/openapi/v3/apis/&lt;group&gt;/&lt;version&gt;</c>.
/// kubectl needs them for <c>explain</c>, to hand field validation to the server, and to build
/// strategic merge patches. Built once, on first use, from <see cref="ResourceCatalog"/> and the
/// model schemas; immutable afterwards, so the bytes can be served to any number of requests.
/// HTTP serving: a request whose <c>hash</c> query matches may be cached for good
/// (handler3 answers with <c>Cache-Control: public, immutable</c>); send <see cref="IndexETag"/>
/// or the document's ETag as <c>ETag</c> and honour <c>If-None-Match</c>.
/// </summary>
public sealed class OpenApiDocuments
{
    private const string PathPrefix = "openapi/v3/";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The documents are API data, never embedded in HTML; keep description text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lazy<Built> _built;

    /// <summary>The documents of every resource in <see cref="ResourceCatalog.All"/>, with descriptions when the build embedded them.</summary>
    /// <param name="kubernetesVersion">Shown as <c>info.version</c>, e.g. v1.32.0.</param>
    public OpenApiDocuments(string kubernetesVersion)
        : this(ResourceCatalog.All, kubernetesVersion, ModelDescriptions.LoadEmbedded)
    {
    }

    internal OpenApiDocuments(IReadOnlyList<ResourceType> resources, string kubernetesVersion, Func<ModelDescriptions> descriptions)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentException.ThrowIfNullOrEmpty(kubernetesVersion);
        ArgumentNullException.ThrowIfNull(descriptions);
        _built = new Lazy<Built>(() => Build(resources, kubernetesVersion, descriptions()));
    }

    /// <summary>UTF-8 JSON of <c>GET /openapi/v3</c>.</summary>
    public ReadOnlyMemory<byte> Index => _built.Value.Index.Json;

    /// <summary>Quoted ETag of the index, e.g. <c>"4F2A…"</c>.</summary>
    public string IndexETag => _built.Value.Index.ETag;

    /// <summary>Document paths as the index names them: api/v1, apis/apps/v1, ...</summary>
    public IReadOnlyCollection<string> DocumentPaths => _built.Value.Documents.Keys;

    /// <summary>
    /// The document for <paramref name="path"/>: "api/v1", "apis/apps/v1", or the request path
    /// "/openapi/v3/apis/apps/v1" (a query string is ignored).
    /// </summary>
    /// <param name="etag">Quoted ETag: the document's hash, as in the index's serverRelativeURL.</param>
    public bool TryGetDocument(string path, out ReadOnlyMemory<byte> json, out string etag)
    {
        ArgumentNullException.ThrowIfNull(path);
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var key = (query >= 0 ? path[..query] : path).Trim('/');
        if (key.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            key = key[PathPrefix.Length..];
        }
        if (_built.Value.Documents.TryGetValue(key, out var document))
        {
            json = document.Json;
            etag = document.ETag;
            return true;
        }
        json = default;
        etag = "";
        return false;
    }

    private sealed record Serialized(ReadOnlyMemory<byte> Json, string Hash)
    {
        public string ETag => "\"" + Hash + "\"";
    }

    private sealed record Built(Serialized Index, Dictionary<string, Serialized> Documents);

    private static Built Build(IReadOnlyList<ResourceType> resources, string kubernetesVersion, ModelDescriptions descriptions)
    {
        var names = new DefinitionNames(resources.Select(r => (r.Model, r.Group)));
        var kinds = KindsByModel(resources);
        var documents = new Dictionary<string, Serialized>(StringComparer.Ordinal);
        var index = new JsonObject();
        foreach (var group in resources.GroupBy(r => r.GroupVersion))
        {
            var first = group.First();
            var path = first.Group.Length == 0 ? "api/" + first.Version : $"apis/{first.Group}/{first.Version}";
            var document = Serialize(GroupVersionDocument(group, kubernetesVersion, new SchemaComponents(names, descriptions, kinds)));
            documents[path] = document;
            index[path] = new JsonObject { ["serverRelativeURL"] = $"/{PathPrefix}{path}?hash={document.Hash}" };
        }
        return new Built(Serialize(new JsonObject { ["paths"] = index }), documents);
    }

    private static JsonObject GroupVersionDocument(IEnumerable<ResourceType> resources, string kubernetesVersion, SchemaComponents schemas)
    {
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var builder = new ResourcePaths(schemas);
        foreach (var resource in resources)
        {
            builder.Add(paths, resource);
        }
        var pathsJson = new JsonObject();
        foreach (var (path, item) in paths)
        {
            pathsJson[path] = item;
        }
        return new JsonObject
        {
            ["components"] = new JsonObject { ["schemas"] = schemas.ToJson() },
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = kubernetesVersion },
            ["openapi"] = "3.0.0",
            ["paths"] = pathsJson,
        };
    }

    /// <summary>Which models are top-level kinds: served kinds, their lists, subresource kinds, and meta Status.</summary>
    private static Dictionary<Type, GroupVersionKind[]> KindsByModel(IReadOnlyList<ResourceType> resources)
    {
        var kinds = new Dictionary<Type, GroupVersionKind[]>
        {
            [typeof(V1Status)] = [new("", "v1", "Status")],
            [typeof(V1DeleteOptions)] = [new("", "v1", "DeleteOptions")],
        };
        foreach (var resource in resources)
        {
            kinds.TryAdd(resource.Model, [new(resource.Group, resource.Version, resource.Kind)]);
            if (resource.Model.Assembly.GetType(resource.Model.FullName + "List") is { } list)
            {
                kinds.TryAdd(list, [new(resource.Group, resource.Version, resource.ListKind)]);
            }
            foreach (var subresource in resource.Subresources)
            {
                if (ResourcePaths.SubresourceModel(resource, subresource) is { } model)
                {
                    kinds.TryAdd(model, [new(subresource.Group, subresource.Version, subresource.Kind)]);
                }
            }
        }
        return kinds;
    }

    private static Serialized Serialize(JsonObject document)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            document.WriteTo(writer);
        }
        var bytes = buffer.ToArray();
        // kube-openapi handler3 names a document by the upper-case hex SHA-512 of its bytes.
        return new Serialized(bytes, Convert.ToHexString(SHA512.HashData(bytes)));
    }
}
