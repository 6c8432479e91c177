using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Drops the fields a structural schema does not specify, in place, and reports their paths
/// (apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go and options.go: paths like
/// <c>spec.template.foo</c> and <c>spec.items[0].bar</c>, sorted). x-kubernetes-preserve-unknown-fields
/// keeps a subtree's unknown fields while still pruning below its specified properties; an
/// embedded resource keeps apiVersion, kind and metadata, and its metadata is reduced to
/// ObjectMeta's fields (objectmeta/coerce.go); at the resource root those three are never pruned.
/// Then nulls the schema does not allow and cannot default are removed
/// (defaulting/prunenulls.go), as the custom-resource codec does right after pruning.
/// </summary>
public static class SchemaPruner
{
    private static readonly HashSet<string> MetaFields = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    // The fields of metav1.ObjectMeta: what an embedded resource's metadata keeps.
    private static readonly HashSet<string> ObjectMetaFields = new(StringComparer.Ordinal)
    {
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    };

    /// <summary>Prunes <paramref name="obj"/> (a whole custom object when <paramref name="isResourceRoot"/>); returns the removed paths, sorted.</summary>
    public static IReadOnlyList<string> Prune(JsonNode? obj, StructuralSchema schema, bool isResourceRoot = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var unknown = new List<string>();
        var walk = new Walk(unknown);
        walk.Prune(obj, schema, ValuePath.Root, isResourceRoot || schema.XEmbeddedResource);
        walk.CoerceEmbedded(obj, schema, ValuePath.Root, isResourceRoot: true);
        PruneNulls(obj, schema);
        unknown.Sort(StringComparer.Ordinal);
        return unknown;
    }

    /// <summary>defaulting/prunenulls.go: drops nulls where the schema is not nullable and has no default to put there.</summary>
    internal static void PruneNulls(JsonNode? node, StructuralSchema? schema)
    {
        switch (node)
        {
            case JsonObject obj:
                List<string>? drop = null;
                foreach (var (key, value) in obj)
                {
                    var field = schema?.FieldSchema(key);
                    if (value is null && field is { Nullable: false, Default: null })
                    {
                        (drop ??= []).Add(key);
                    }
                    else if (value is not null)
                    {
                        PruneNulls(value, field);
                    }
                }
                if (drop is not null)
                {
                    foreach (var key in drop)
                    {
                        obj.Remove(key);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    PruneNulls(item, schema?.Items);
                }
                break;
        }
    }

    private sealed class Walk(List<string> unknown)
    {
        // algorithm.go prune: a null schema (nothing specified) removes every field below.
        public void Prune(JsonNode? node, StructuralSchema? schema, ValuePath at, bool embedded)
        {
            if (schema is { XPreserveUnknownFields: true })
            {
                SkipPrune(node, schema, at, embedded);
                return;
            }
            switch (node)
            {
                case JsonObject obj:
                    if (schema is null)
                    {
                        foreach (var (key, _) in obj)
                        {
                            unknown.Add(at.Property(key).Dotted());
                        }
                        obj.Clear();
                        return;
                    }
                    List<string>? drop = null;
                    foreach (var (key, value) in obj)
                    {
                        if (embedded && MetaFields.Contains(key))
                        {
                            continue;
                        }
                        if (!PruneKnown(key, value, schema, at))
                        {
                            // At the top of the object apiVersion/kind/metadata go silently (they are handled apart).
                            if (!MetaFields.Contains(key) || !at.IsRoot)
                            {
                                unknown.Add(at.Property(key).Dotted());
                            }
                            (drop ??= []).Add(key);
                        }
                    }
                    RemoveAll(obj, drop);
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        var items = schema?.Items;
                        Prune(array[i], items, at.Index(i), items?.XEmbeddedResource ?? false);
                    }
                    break;
            }
        }

        // A field the schema specifies, as a property or through additionalProperties: pruned below; false when unknown.
        private bool PruneKnown(string key, JsonNode? value, StructuralSchema schema, ValuePath at)
        {
            if (schema.Properties.TryGetValue(key, out var property))
            {
                Prune(value, property, at.Property(key), property.XEmbeddedResource);
                return true;
            }
            if (schema.HasAdditionalProperties)
            {
                var additional = schema.AdditionalProperties;
                Prune(value, additional, at.Property(key), additional?.XEmbeddedResource ?? false);
                return true;
            }
            return false;
        }

        private void SkipPrune(JsonNode? node, StructuralSchema schema, ValuePath at, bool embedded)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (embedded && MetaFields.Contains(key))
                        {
                            continue;
                        }
                        PruneKnown(key, value, schema, at);
                    }
                    break;
                case JsonArray array when schema.Items is { } items:
                    for (var i = 0; i < array.Count; i++)
                    {
                        SkipPrune(array[i], items, at.Index(i), items.XEmbeddedResource);
                    }
                    break;
            }
        }

        // objectmeta/coerce.go: the metadata of an embedded resource (not the root's) keeps only ObjectMeta's fields.
        public void CoerceEmbedded(JsonNode? node, StructuralSchema? schema, ValuePath at, bool isResourceRoot)
        {
            if (schema is null || !schema.HasEmbeddedBelow)
            {
                return;
            }
            switch (node)
            {
                case JsonObject obj:
                    if (schema.XEmbeddedResource && !isResourceRoot && obj["metadata"] is JsonObject metadata)
                    {
                        CoerceMetadata(metadata, at);
                    }
                    foreach (var (key, value) in obj)
                    {
                        if (schema.Properties.TryGetValue(key, out var property))
                        {
                            CoerceEmbedded(value, property, at.Property(key), false);
                        }
                        else if (schema.AdditionalProperties is { } additional)
                        {
                            CoerceEmbedded(value, additional, at.Key(key), false);
                        }
                    }
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        CoerceEmbedded(array[i], schema.Items, at.Index(i), false);
                    }
                    break;
            }
        }

        private void CoerceMetadata(JsonObject metadata, ValuePath at)
        {
            List<string>? drop = null;
            foreach (var (key, _) in metadata)
            {
                if (!ObjectMetaFields.Contains(key))
                {
                    // GetObjectMetaWithOptions: ParentPath.Child("metadata") + "." + field, in field.Path syntax.
                    unknown.Add(at.Property("metadata").ToFieldPath(FieldPath.Root) + "." + key);
                    (drop ??= []).Add(key);
                }
            }
            RemoveAll(metadata, drop);
        }

        private static void RemoveAll(JsonObject obj, List<string>? keys)
        {
            if (keys is null)
            {
                return;
            }
            foreach (var key in keys)
            {
                obj.Remove(key);
            }
        }
    }
}
