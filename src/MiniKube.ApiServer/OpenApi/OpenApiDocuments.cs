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
/// strategic merge patches. The built-in documents are built once, on first use, from
/// <see cref="ResourceCatalog"/> and the model schemas; custom group-versions come and go with
/// <see cref="SetCustomResources"/>, which swaps in a new immutable snapshot (index and
/// documents) atomically, so readers never lock and always see one consistent set.
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
    private readonly Lock _gate = new();

    // Null until custom resources are first set: the built-in snapshot is served.
    private volatile Snapshot? _snapshot;

    // Custom documents by path with the identity of what built them, to keep unchanged ones.
    private Dictionary<string, (string Identity, Serialized Document)> _custom = new(StringComparer.Ordinal);

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
    public ReadOnlyMemory<byte> Index => Current.Index.Json;

    /// <summary>Quoted ETag of the index, e.g. <c>"4F2A…"</c>.</summary>
    public string IndexETag => Current.Index.ETag;

    /// <summary>The index and its ETag read together (the two properties may straddle a <see cref="SetCustomResources"/>).</summary>
    public (ReadOnlyMemory<byte> Json, string ETag) IndexWithETag
    {
        get
        {
            var index = Current.Index;
            return (index.Json, index.ETag);
        }
    }

    /// <summary>Document paths as the index names them: api/v1, apis/apps/v1, ..., then custom ones (apis/example.com/v1).</summary>
    public IReadOnlyCollection<string> DocumentPaths => Current.Documents.Keys;

    private Snapshot Current => _snapshot ?? _built.Value.Snapshot;

    /// <summary>
    /// Publishes the custom group-versions of <paramref name="customResourceDefinitions"/> (whole
    /// apiextensions.k8s.io/v1 CRDs as JSON; the full current set each time): one document per
    /// served group-version at <c>apis/&lt;group&gt;/&lt;version&gt;</c>, all CRDs of it merged, as
    /// kube-apiserver's openapiv3 controller does. A CRD whose Established condition is present and
    /// not True is left out; a group-version the built-in documents serve keeps the built-in one.
    /// A document whose CRDs (name, uid, resourceVersion) did not change keeps its bytes and hash;
    /// built-in documents never change; the index gets a new hash when any entry did. Thread-safe:
    /// calls are serialized, readers see the old snapshot until the new one is complete.
    /// </summary>
    public void SetCustomResources(IReadOnlyList<JsonObject> customResourceDefinitions)
    {
        ArgumentNullException.ThrowIfNull(customResourceDefinitions);
        lock (_gate)
        {
            var built = _built.Value;
            var byPath = new SortedDictionary<string, List<(JsonObject Crd, JsonObject Version)>>(StringComparer.Ordinal);
            foreach (var crd in customResourceDefinitions.Where(IsPublished).OrderBy(CrdName, StringComparer.Ordinal))
            {
                var group = Text((crd["spec"] as JsonObject)?["group"]);
                foreach (var version in ((crd["spec"] as JsonObject)?["versions"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var path = $"apis/{group}/{Text(version["name"])}";
                    if (group.Length == 0 || version["served"] is not JsonValue served || !served.TryGetValue<bool>(out var on) || !on
                        || built.Snapshot.Documents.ContainsKey(path))
                    {
                        continue;
                    }
                    if (!byPath.TryGetValue(path, out var entries))
                    {
                        byPath[path] = entries = [];
                    }
                    entries.Add((crd, version));
                }
            }

            var custom = new Dictionary<string, (string Identity, Serialized Document)>(StringComparer.Ordinal);
            foreach (var (path, entries) in byPath)
            {
                var identity = string.Join('\n', entries.Select(e => Identity(e.Crd) + " " + Text(e.Version["name"])));
                if (_custom.TryGetValue(path, out var previous) && previous.Identity == identity)
                {
                    custom[path] = previous;
                    continue;
                }
                var document = new CustomResourceDocument(built.Names, built.Descriptions);
                foreach (var (crd, version) in entries)
                {
                    document.Add(crd, version);
                }
                var serialized = Serialize(document.ToJson());
                custom[path] = (identity, previous.Document is { } old && old.Hash == serialized.Hash ? old : serialized);
            }
            _custom = custom;

            var documents = new Dictionary<string, Serialized>(built.Snapshot.Documents, StringComparer.Ordinal);
            var index = new JsonObject();
            foreach (var path in built.Snapshot.Documents.Keys)
            {
                index[path] = IndexEntry(path, built.Snapshot.Documents[path]);
            }
            foreach (var (path, (_, document)) in custom)
            {
                documents[path] = document;
                index[path] = IndexEntry(path, document);
            }
            _snapshot = new Snapshot(Serialize(new JsonObject { ["paths"] = index }), documents);
        }
    }

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
        if (Current.Documents.TryGetValue(key, out var document))
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

    /// <summary>An index and the documents it names; never changed once published.</summary>
    private sealed record Snapshot(Serialized Index, Dictionary<string, Serialized> Documents);

    /// <summary>The built-in documents, plus what custom documents are built with (definition names, descriptions).</summary>
    private sealed record Built(Snapshot Snapshot, DefinitionNames Names, ModelDescriptions Descriptions);

    private static Built Build(IReadOnlyList<ResourceType> resources, string kubernetesVersion, ModelDescriptions descriptions)
    {
        var names = new DefinitionNames(resources.Select(r => (r.Model, r.Group)));
        var kinds = KindsByModel(resources);
        // Insertion order is the index's order: built-ins in catalog order, then custom ones.
        var documents = new Dictionary<string, Serialized>(StringComparer.Ordinal);
        var index = new JsonObject();
        foreach (var group in resources.GroupBy(r => r.GroupVersion))
        {
            var first = group.First();
            var path = first.Group.Length == 0 ? "api/" + first.Version : $"apis/{first.Group}/{first.Version}";
            var document = Serialize(GroupVersionDocument(group, kubernetesVersion, new SchemaComponents(names, descriptions, kinds)));
            documents[path] = document;
            index[path] = IndexEntry(path, document);
        }
        return new Built(new Snapshot(Serialize(new JsonObject { ["paths"] = index }), documents), names, descriptions);
    }

    private static JsonObject IndexEntry(string path, Serialized document) =>
        new() { ["serverRelativeURL"] = $"/{PathPrefix}{path}?hash={document.Hash}" };

    // upstream's openapiv3 controller publishes Established CRDs; a CRD as a client sent it has no status yet.
    private static bool IsPublished(JsonObject crd) =>
        ((crd["status"] as JsonObject)?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => Text(c["type"]) == "Established") is not { } established
        || Text(established["status"]) == "True";

    private static string CrdName(JsonObject crd) => Text((crd["metadata"] as JsonObject)?["name"]);

    /// <summary>What identifies a CRD's content: name, uid and resourceVersion when stored, else its whole JSON.</summary>
    private static string Identity(JsonObject crd)
    {
        var metadata = crd["metadata"] as JsonObject;
        var uid = Text(metadata?["uid"]);
        var resourceVersion = Text(metadata?["resourceVersion"]);
        return uid.Length > 0 && resourceVersion.Length > 0 ? $"{CrdName(crd)}/{uid}/{resourceVersion}" : crd.ToJsonString();
    }

    private static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

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
