using k8s.Models;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Http;

/// <summary>Applies patches and field validation to request objects (wired to Patching/ and Schema/).</summary>
internal static class ObjectPatcher
{
    /// <summary>
    /// Field validation (apiserver pkg/endpoints/handlers create.go and patch.go): drops fields
    /// the kind does not have; fieldValidation=Strict refuses them (400, or 422 for a patch),
    /// Warn — the default — reports each in a Warning header, Ignore says nothing. A value of the
    /// wrong type is always refused.
    /// </summary>
    public static List<string> Prune(HttpContext context, ResourceType type, JsonObject obj, bool patch = false)
    {
        var validation = ListOptions.Value(context.Request.Query, "fieldValidation") ?? "Warn";
        var strict = validation == "Strict";
        if (type.Custom is { } custom)
        {
            return PruneCustom(type, custom, obj, validation);
        }
        var result = FieldPruner.Prune(obj, ModelSchema.For(type.Model));
        if (result.DecodeError(strict) is { } error)
        {
            if (patch && result.TypeError is null)
            {
                throw ApiException.Invalid(type, ObjectMeta.Name(obj) ?? "", [FieldError.Invalid(FieldPath.Of("patch"), BadValue.Of(""), error)]);
            }
            throw ApiException.BadRequest(result.DecodeFailure(type.Kind, type.Version, strict) ?? error);
        }
        return validation == "Ignore" ? [] : [.. result.Warnings];
    }

    // A custom object's unknown fields are its schema's to prune (apiextensions' pruning decoder):
    // Strict refuses them with the decoder's words, Warn reports each.
    private static List<string> PruneCustom(ResourceType type, CustomResource custom, JsonObject obj, string validation)
    {
        var unknown = custom.Schema.Prune(obj);
        if (unknown.Count == 0 || validation == "Ignore")
        {
            return [];
        }
        var fields = unknown.Select(path => $"unknown field \"{path}\"").ToList();
        if (validation == "Strict")
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", fields)}");
        }
        return fields;
    }

    /// <summary>
    /// A JSON, merge or strategic merge patch applied to a private copy of <paramref name="live"/>;
    /// custom resources have no strategic merge schema, so theirs is a 415 as upstream.
    /// </summary>
    public static JsonObject Patch(ResourceType type, string mediaType, JsonObject live, byte[] body) =>
        Run(() => PatchApplier.Apply(mediaType, live, body, type.Custom is null ? ModelSchema.For(type.Model) : null));

    /// <summary>A patch of an autoscaling/v1 Scale (kubectl scale sends a merge patch).</summary>
    public static JsonObject PatchScale(string mediaType, JsonObject scale, byte[] body) =>
        Run(() => PatchApplier.Apply(mediaType, scale, body, ModelSchema.For(typeof(V1Scale))));

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (a private copy,
    /// or null to create) with field ownership and conflicts (ManagedFields/FieldManager).
    /// </summary>
    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject applied, FieldOwner owner, bool force, string? subresource) =>
        FieldManager.Apply(live, applied, owner, force, FieldShapes.For(type), FieldManager.ResetFields(type.HasStatus, subresource));

    private static JsonObject Run(Func<JsonObject> patch)
    {
        try
        {
            return patch();
        }
        catch (PatchException e)
        {
            // A patch that does not apply is upstream's NewGenericServerResponse(422, …) with an
            // empty GroupResource: details present and empty. The 400s, 413s and 415s carry none.
            throw new ApiException(e.StatusCode, e.Reason, e.Message, e.StatusCode == StatusCodes.Status422UnprocessableEntity ? [] : null);
        }
    }
}
