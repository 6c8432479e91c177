using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.Resources;

/// <summary>
/// The resources a stored CustomResourceDefinition makes the server serve: one
/// <see cref="ResourceType"/> per served version, named by status.acceptedNames (only an
/// Established CRD serves anything), keyed under <c>/registry/&lt;group&gt;/&lt;plural&gt;/</c>,
/// with a <see cref="SchemaStrategy"/> over the version's schema and CEL rules, the status and
/// scale subresources it declares, and — for versions other than the storage version — a
/// <see cref="StorageConversion"/>: conversion strategy None rewrites apiVersion, Webhook calls
/// the CRD's conversion webhook (<see cref="CustomResourceWebhookConverter"/>). Objects read from
/// storage get the defaults of the storage version's schema, then those of the version they are
/// served in (upstream defaults stored objects on read); a version whose schemas have no defaults
/// pays nothing for it, and the storage version then has no conversion at all. Pure: the same CRD
/// gives equal registrations, so every API server derives the same set.
/// </summary>
public static class CustomResourceTypes
{
    private static readonly string[] GetPatchUpdate = ["get", "patch", "update"];

    /// <summary>
    /// The served versions of <paramref name="crd"/>, preferred first; empty when it serves nothing.
    /// Works on a private copy of the CRD, so the registrations may be read by any number of requests at once.
    /// <paramref name="webhooks"/> calls conversion webhooks; without it a Webhook CRD converts as None.
    /// </summary>
    public static IReadOnlyList<ResourceType> From(JsonObject crd, WebhookClient? webhooks = null)
    {
        ArgumentNullException.ThrowIfNull(crd);
        crd = crd.DeepClone().AsObject();
        var names = crd.Obj("status").Obj("acceptedNames");
        var spec = crd.Obj("spec");
        if (!CustomResourceDefinitionValidation.IsEstablished(crd) || names.StrOrEmpty("plural").Length == 0 || names.StrOrEmpty("kind").Length == 0)
        {
            return [];
        }
        var group = spec.StrOrEmpty("group");
        var plural = names.StrOrEmpty("plural");
        var kind = names.StrOrEmpty("kind");
        var namespaced = spec.StrOrEmpty("scope") != "Cluster";
        var versions = spec.Items("versions").Select(v => v.Item).ToList();
        var storageVersion = versions.FirstOrDefault(v => v.Bool("storage") == true)?.StrOrEmpty("name");
        if (storageVersion is null)
        {
            return [];
        }
        var basis = new ResourceType(group, storageVersion, plural, kind, typeof(JsonObject), namespaced);
        var schemas = new SchemaPerVersion(crd);
        var storage = Build(crd, basis, versions.First(v => v.StrOrEmpty("name") == storageVersion), names, schemas);
        var storedDefaults = storage.Custom!.Schema.Root.HasDefaultsBelow ? storage.Custom.Schema : null;
        var conversion = spec.Obj("conversion");
        var converter = conversion.Str("strategy") == "Webhook" && webhooks is not null
            ? new CustomResourceWebhookConverter(webhooks, conversion.Obj("webhook"))
            : null;
        var served = new List<ResourceType>();
        foreach (var version in versions.Where(v => v.Bool("served") == true))
        {
            var name = version.StrOrEmpty("name");
            if (name == storageVersion)
            {
                // Defaults on read are the storage version's only conversion: none without defaults.
                served.Add(storedDefaults is null ? storage : storage with
                {
                    StoredAs = new StorageConversion(storage, obj => obj, obj => WithDefaults(obj, storedDefaults)),
                });
                continue;
            }
            var form = Build(crd, basis with { Version = name }, version, names, schemas);
            var servedDefaults = form.Custom!.Schema.Root.HasDefaultsBelow ? form.Custom.Schema : null;
            var convert = converter is null ? NoConversion : Webhook(converter, kind);
            served.Add(form with
            {
                // The registry's rules see the stored form: after a webhook's conversion that is
                // the storage version's shape, so it is checked and defaulted with that schema.
                Strategy = converter is null ? form.Strategy : storage.Strategy,
                StoredAs = new StorageConversion(
                    storage,
                    obj => convert(obj, storage.GroupVersion, form.GroupVersion),
                    obj => WithDefaults(convert(WithDefaults(obj, storedDefaults), form.GroupVersion, storage.GroupVersion), servedDefaults))
                {
                    FromStorageAllAsync = converter is null ? null : Page(converter, form.GroupVersion, storedDefaults, servedDefaults),
                },
            });
        }
        served.Sort((a, b) => VersionPriority.Compare(a.Version, b.Version));
        return served;
    }

    /// <summary>
    /// The CRD's stored objects as one plain resource (storage version, spec.names, no rules): how
    /// the cleanup of a deleted CRD lists and deletes them, served or not.
    /// </summary>
    public static ResourceType? Storage(JsonObject crd)
    {
        ArgumentNullException.ThrowIfNull(crd);
        var spec = crd.Obj("spec");
        var names = spec.Obj("names");
        var version = spec.Items("versions").Where(v => v.Item.Bool("storage") == true).Select(v => v.Item.StrOrEmpty("name")).FirstOrDefault();
        if (version is null || names.StrOrEmpty("plural").Length == 0 || names.StrOrEmpty("kind").Length == 0)
        {
            return null;
        }
        return new ResourceType(spec.StrOrEmpty("group"), version, names.StrOrEmpty("plural"), names.StrOrEmpty("kind"), typeof(JsonObject), spec.StrOrEmpty("scope") != "Cluster");
    }

    // (object, target apiVersion, the apiVersion the input is in): the object in the target version.
    private delegate JsonObject Converter(JsonObject obj, string apiVersion, string from);

    // Conversion None: only apiVersion changes (apiextensions-apiserver pkg/apiserver/conversion/nop_converter.go).
    private static readonly Converter NoConversion = static (obj, apiVersion, _) =>
    {
        if (ObjectMeta.Str(obj["apiVersion"]) != apiVersion)
        {
            obj["apiVersion"] = apiVersion;
        }
        return obj;
    };

    // Conversion Webhook. The conversion seam is synchronous (watch encoders, printers, admission
    // forms call it), so the call is waited for here; objects already in the target version
    // (the common case of the storage version) never reach this wait.
    private static Converter Webhook(CustomResourceWebhookConverter converter, string kind) => (obj, apiVersion, from) =>
    {
        if (ObjectMeta.Str(obj["apiVersion"]) == apiVersion)
        {
            return obj;
        }
        var what = $"{ObjectMeta.Str(obj["apiVersion"]) ?? from}, Kind={kind}";
        return converter.ConvertAsync([obj], apiVersion, what, CancellationToken.None).GetAwaiter().GetResult()[0];
    };

    // A GET or a whole list page through the webhook in one review (upstream decodes a list item by
    // item, a review each); errors name the stored objects' group-version-kind, as upstream's do.
    private static Func<IReadOnlyList<JsonObject>, CancellationToken, Task<IReadOnlyList<JsonObject>>> Page(
        CustomResourceWebhookConverter converter, string apiVersion, CustomResourceSchema? storedDefaults, CustomResourceSchema? servedDefaults) =>
        async (objects, cancellationToken) =>
        {
            foreach (var obj in objects)
            {
                WithDefaults(obj, storedDefaults);
            }
            var what = $"{ObjectMeta.Str(objects[0]["apiVersion"])}, Kind={ObjectMeta.Str(objects[0]["kind"])}";
            var converted = await converter.ConvertAsync(objects, apiVersion, what, cancellationToken);
            foreach (var obj in converted)
            {
                WithDefaults(obj, servedDefaults);
            }
            return converted;
        };

    // Structural defaulting of a stored object on read (upstream's storage decoder defaults with the schema).
    private static JsonObject WithDefaults(JsonObject obj, CustomResourceSchema? schema)
    {
        schema?.ApplyDefaults(obj);
        return obj;
    }

    private static ResourceType Build(JsonObject crd, ResourceType basis, JsonObject version, JsonObject? names, SchemaPerVersion schemas)
    {
        var subresources = version.Obj("subresources");
        var hasStatus = subresources?["status"] is JsonObject;
        var schema = schemas.For(version.Obj("schema").Obj("openAPIV3Schema"), hasStatus);
        ScalePaths? scale = null;
        var list = new List<Subresource>();
        if (hasStatus)
        {
            list.Add(new Subresource("status", basis.Group, basis.Version, basis.Kind, GetPatchUpdate));
        }
        if (subresources.Obj("scale") is { } scaleSpec)
        {
            scale = new ScalePaths(scaleSpec.StrOrEmpty("specReplicasPath"), scaleSpec.StrOrEmpty("statusReplicasPath"), scaleSpec.Str("labelSelectorPath"));
            list.Add(new Subresource("scale", "autoscaling", "v1", "Scale", GetPatchUpdate));
        }
        var metadata = crd.Obj("metadata");
        var custom = new CustomResource(
            ObjectMeta.Name(crd) ?? "",
            ObjectMeta.Uid(crd) ?? "",
            ObjectMeta.ResourceVersion(crd) ?? "",
            metadata.Int("generation") ?? 0,
            crd,
            basis.Version,
            schema,
            version.Arr("additionalPrinterColumns") ?? [],
            version.Items("selectableFields").Select(f => f.Item.StrOrEmpty("jsonPath")).Where(p => p.Length > 0).ToArray(),
            scale,
            ObjectMeta.IsDeleting(crd));
        return basis with
        {
            SingularName = names.Str("singular") is { Length: > 0 } singular ? singular : basis.Kind.ToLowerInvariant(),
            ListKind = names.Str("listKind") is { Length: > 0 } listKind ? listKind : basis.Kind + "List",
            ShortNames = Strings(names.Arr("shortNames")),
            Categories = Strings(names.Arr("categories")),
            Subresources = list,
            Strategy = new SchemaStrategy(new CustomResourceObjectSchema(schema)) { RefusesCreates = custom.Terminating },
            Custom = custom,
        };
    }

    /// <summary>
    /// The schema engines of one CRD's versions. Versions without conversion usually repeat one
    /// schema (the Gateway API serves v1 and v1beta1 of three kinds alike): an equal schema gets
    /// the engine already built, which is immutable and refers to nothing version-specific. The
    /// rules of a served schema compile on first use (<see cref="CelSchemaRules.CompiledOnFirstUse"/>):
    /// the CRD-time check compiled them once already when the CRD was written.
    /// </summary>
    private sealed class SchemaPerVersion(JsonObject crd)
    {
        private readonly List<(JsonObject Json, bool HasStatus, CustomResourceSchema Schema)> _built = [];

        public CustomResourceSchema For(JsonObject? openApiV3Schema, bool hasStatus)
        {
            var json = openApiV3Schema ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            foreach (var built in _built)
            {
                if (built.HasStatus == hasStatus && JsonNode.DeepEquals(built.Json, json))
                {
                    return built.Schema;
                }
            }
            var errors = new List<FieldError>();
            var schema = CustomResourceSchema.Create(json, FieldPath.Of("spec", "versions"), hasStatus, CelSchemaRules.CompiledOnFirstUse(), errors, [])
                ?? throw new InvalidOperationException($"stored CRD {ObjectMeta.Name(crd)} has an invalid schema: {string.Join("; ", errors.Select(e => e.Message))}");
            _built.Add((json, hasStatus, schema));
            return schema;
        }
    }

    private static string[] Strings(JsonArray? values) =>
        (values ?? []).Select(v => ObjectMeta.Str(v) ?? "").Where(v => v.Length > 0).ToArray();
}
