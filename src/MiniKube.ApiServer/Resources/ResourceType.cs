using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// One REST resource the API server serves: its discovery facts (what kubectl's REST mapper
/// resolves names from), its model type from <c>k8s.Models</c>, and how the registry treats it.
/// </summary>
/// <param name="Group">API group; empty for core.</param>
/// <param name="Version">API version, e.g. v1.</param>
/// <param name="Name">Plural resource name as in URLs, e.g. deployments.</param>
/// <param name="Kind">Object kind, e.g. Deployment.</param>
/// <param name="Model">The k8s.Models class of one object, e.g. V1Deployment.</param>
/// <param name="Namespaced">True when objects live in a namespace.</param>
public sealed record ResourceType(string Group, string Version, string Name, string Kind, Type Model, bool Namespaced) : IApiResource
{
    /// <summary>Lower-case kind, e.g. deployment; a CRD's names.singular.</summary>
    public string SingularName { get; init; } = Kind.ToLowerInvariant();

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    /// <summary>Everything particular to the kind on the write path; kinds without rules of their own get <see cref="ResourceStrategy.Plain"/>.</summary>
    public IResourceStrategy Strategy { get; init; } = ResourceStrategy.Plain;

    /// <summary>Categories such as "all" (what <c>kubectl get all</c> lists).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    public IReadOnlyList<Subresource> Subresources { get; init; } = [];

    /// <summary>Verbs on the collection and its items; read-only kinds serve fewer.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    /// <summary>True when the resource serves a status subresource.</summary>
    public bool HasStatus => Subresources.Any(s => s.Name == "status");

    /// <summary>"apps/v1", or "v1" for core.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>How errors name the resource: <c>pods</c> for core, <c>deployments.apps</c> otherwise.</summary>
    public string QualifiedName => Group.Length == 0 ? Name : $"{Name}.{Group}";

    /// <summary>Kind of the list, e.g. DeploymentList; a CRD's names.listKind.</summary>
    public string ListKind { get; init; } = Kind + "List";

    /// <summary>
    /// For a custom resource: what its CustomResourceDefinition says about this served version
    /// (schema, printer columns, selectable fields, scale paths); null for built-in kinds, whose
    /// facts come from <see cref="Model"/> and code.
    /// </summary>
    public CustomResource? Custom { get; init; }

    /// <summary>
    /// Store key prefix of all objects of this resource, ending in '/'. A form stored as another
    /// resource's objects (<see cref="StoredAs"/>) shares that resource's keys, and so its watch cache.
    /// </summary>
    public string KeyPrefix => StoredAs?.Storage.KeyPrefix ?? (Group.Length == 0 ? $"/registry/{Name}/" : $"/registry/{Group}/{Name}/");

    /// <summary>
    /// For a form served over another one's stored objects (autoscaling/v1 HorizontalPodAutoscalers
    /// over the stored autoscaling/v2 ones, events.k8s.io Events over core Events): the stored
    /// form and the conversions both ways; null when objects are stored as served.
    /// </summary>
    public StorageConversion? StoredAs { get; init; }

    /// <summary>An object of this form as stored; unchanged when the form is the stored one.</summary>
    public JsonObject ToStorage(JsonObject obj) => StoredAs is null ? obj : StoredAs.ToStorage(obj);

    /// <summary>A stored object in this form; unchanged when the form is the stored one.</summary>
    public JsonObject FromStorage(JsonObject obj) => StoredAs is null ? obj : StoredAs.FromStorage(obj);

    public static readonly IReadOnlyList<string> AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static readonly IReadOnlyList<string> ReadVerbs = ["get", "list"];
}

/// <summary>A subresource such as pods/status or deployments/scale.</summary>
/// <param name="Name">e.g. status, scale, log.</param>
/// <param name="Group">Group of the kind it takes and returns (autoscaling for Scale).</param>
/// <param name="Version">Version of that kind.</param>
/// <param name="Kind">e.g. Scale, Binding, Eviction.</param>
/// <param name="Verbs">e.g. get, patch, update.</param>
public sealed record Subresource(string Name, string Group, string Version, string Kind, IReadOnlyList<string> Verbs);

/// <summary>
/// How a served form maps to the stored form of the same objects (upstream's conversion to and
/// from the storage version). Both functions take and return whole objects, apiVersion and kind
/// included, and must return the input unchanged when it already has the target apiVersion, so
/// a conversion applied twice is harmless.
/// </summary>
/// <param name="Storage">The catalog entry whose stored objects these are.</param>
/// <param name="ToStorage">Served form → stored form.</param>
/// <param name="FromStorage">Stored form → served form.</param>
public sealed record StorageConversion(ResourceType Storage, Func<JsonObject, JsonObject> ToStorage, Func<JsonObject, JsonObject> FromStorage)
{
    /// <summary>
    /// Stored objects (one object, or one list page) in the served form at once, asynchronously:
    /// for conversions that call out (a CRD's conversion webhook gets one ConversionReview per
    /// GET or list page, without holding a thread). Null: each goes through <see cref="FromStorage"/>.
    /// </summary>
    public Func<IReadOnlyList<JsonObject>, CancellationToken, Task<IReadOnlyList<JsonObject>>>? FromStorageAllAsync { get; init; }
}
