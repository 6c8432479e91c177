using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The selector checks webhooks and admission policies share (apiserver
/// admission/plugin/webhook/predicates/namespace and object matchers): the namespace's labels
/// against a namespaceSelector, the object's (or old object's) labels against an objectSelector,
/// and the object as an equivalent form of its resource shows it.
/// </summary>
public sealed class AdmissionMatching(CachedReads reads)
{
    private static readonly ResourceType Namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;

    /// <summary>
    /// True when the selector is empty, the write is cluster-scoped, or the namespace's labels
    /// match. Throws a 500 when the namespace cannot be read.
    /// </summary>
    public async Task<bool> NamespaceMatchesAsync(JsonObject? selector, AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ns = WebhookRules.Namespace(request);
        var isNamespace = WebhookRules.IsNamespace(request.Type);
        if ((ns.Length == 0 && !isNamespace) || selector is null || SelectorValidation.IsEmpty(selector))
        {
            return true;
        }
        JsonObject? labels;
        if (isNamespace && request.Subresource is null && request.Operation is AdmissionOperation.Create or AdmissionOperation.Update)
        {
            // The namespace being written is not in the cache yet (namespace/matcher.go GetNamespaceLabels).
            labels = request.Object.Obj("metadata").Obj("labels");
        }
        else
        {
            var stored = await NamespaceAsync(ns, cancellationToken) ?? throw ApiException.Internal($"namespaces \"{ns}\" not found");
            labels = stored.Obj("metadata").Obj("labels");
        }
        return SelectorValidation.Matches(selector, labels ?? []);
    }

    /// <summary>The stored namespace (a fresh decode the caller may keep), or null.</summary>
    public async Task<JsonObject?> NamespaceAsync(string name, CancellationToken cancellationToken) =>
        await reads.GetAsync(Namespaces, null, name, cancellationToken) is { } stored ? ObjectCodec.Decode(stored.Value, stored.ModRevision) : null;

    /// <summary>object/matcher.go: the new object's labels or the old object's; a missing object does not match.</summary>
    public static bool ObjectMatches(JsonObject? selector, AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (selector is null || SelectorValidation.IsEmpty(selector))
        {
            return true;
        }
        var current = request.Operation == AdmissionOperation.Delete ? null : request.Object;
        return (current is not null && SelectorValidation.Matches(selector, current.Obj("metadata").Obj("labels") ?? []))
            || (request.OldObject is { } old && SelectorValidation.Matches(selector, old.Obj("metadata").Obj("labels") ?? []));
    }

    /// <summary>The object as the matched form shows it: the request's own, or converted to an equivalent form.</summary>
    public static JsonObject InForm(ResourceType form, ResourceType stored, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(obj);
        return ReferenceEquals(form, stored) ? obj : form.FromStorage(obj.DeepClone().AsObject());
    }
}
