
namespace MiniKube.ApiServer.Patching;

/// <summary>
/// Applies an RFC 6902 JSON Patch with the semantics kube-apiserver gets from
/// gopkg.in/evanphx/json-patch.v4 (patch.go), including its leniencies: negative array indices
/// count from the end, <c>replace</c> of an absent object member adds it, and <c>test</c> of an
/// absent member passes when the expected value is null. Moving or copying from an absent member
/// fails here, where v4 would move nothing or copy a null.
/// A patch that is not a list of objects is a 400; an operation that does not apply is a 422
/// with the upstream wording kept in <see cref="PatchException.Detail"/>.
/// The document is changed in place (pass a copy) and the operations' values are moved into it.
/// </summary>
internal static class JsonPatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="document"/> and returns the result (the root may be replaced).</summary>
    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        var operations = ReadOperations(patch);
        var state = new ApplyState(document);
        foreach (var operation in operations)
        {
            var kind = operation?["op"] is JsonValue op && op.TryGetValue<string>(out var name) ? name : "unknown";
            Action<ApplyState, JsonObject> apply = kind switch
            {
                "add" => Add,
                "remove" => Remove,
                "replace" => Replace,
                "move" => Move,
                "copy" => Copy,
                "test" => Test,
                _ => throw PatchException.Invalid($"Unexpected kind: {kind}"),
            };
            apply(state, operation!);
        }
        return state.Root;
    }

    private static List<JsonObject?> ReadOperations(JsonNode? patch)
    {
        if (patch is not JsonArray array)
        {
            throw PatchException.BadRequest($"json: cannot unmarshal {JsonKindName.Of(patch)} into Go value of type jsonpatch.Patch");
        }
        if (array.Count > PatchLimits.MaxJsonPatchOperations)
        {
            throw PatchException.TooLarge(
                $"The allowed maximum operations in a JSON patch is {PatchLimits.MaxJsonPatchOperations}, got {array.Count}");
        }
        var operations = new List<JsonObject?>(array.Count);
        foreach (var element in array)
        {
            if (element is not null and not JsonObject)
            {
                throw PatchException.BadRequest($"json: cannot unmarshal {JsonKindName.Of(element)} into Go value of type jsonpatch.Operation");
            }
            operations.Add((JsonObject?)element);
        }
        return operations;
    }

    private static void Add(ApplyState state, JsonObject operation)
    {
        var path = Pointer(operation, "path", "add operation failed to decode path");
        var container = state.Find(path) ?? throw PatchException.Invalid($"add operation does not apply: doc is missing path: \"{path.Text}\": missing value");
        var value = TakeValue(operation);
        CheckDepth(path, value);
        InsertInto(container, path, value, $"error in add for path: '{path.Text}'");
    }

    private static void Remove(ApplyState state, JsonObject operation)
    {
        var path = Pointer(operation, "path", "remove operation failed to decode path");
        var container = state.Find(path) ?? throw PatchException.Invalid($"remove operation does not apply: doc is missing path: \"{path.Text}\": missing value");
        RemoveFrom(container, path, $"error in remove for path: '{path.Text}'");
    }

    private static void Replace(ApplyState state, JsonObject operation)
    {
        var path = Pointer(operation, "path", "replace operation failed to decode path");
        var value = TakeValue(operation);
        if (path.IsRoot)
        {
            if (value is not (JsonObject or JsonArray))
            {
                throw PatchException.Invalid("replace operation value must be object or array");
            }
            CheckDepth(path, value);
            state.Root = value;
            return;
        }
        var container = state.Find(path) ?? throw PatchException.Invalid($"replace operation does not apply: doc is missing path: {path.Text}: missing value");
        CheckDepth(path, value);
        if (container is JsonObject obj)
        {
            // v4 checks only the parent: replacing an absent member adds it.
            obj[path.Last] = value;
            return;
        }
        var array = (JsonArray)container;
        var index = ExistingIndex(array, path.Last) ?? throw PatchException.Invalid($"replace operation does not apply: doc is missing key: {path.Text}: missing value");
        array[index] = value;
    }

    private static void Move(ApplyState state, JsonObject operation)
    {
        var from = Pointer(operation, "from", "move operation failed to decode from");
        var source = from.IsRoot ? null : state.Find(from);
        if (source is null || !TryGet(source, from.Last, out _))
        {
            throw PatchException.Invalid($"move operation does not apply: doc is missing from path: {from.Text}: missing value");
        }
        var value = RemoveFrom(source, from, $"error in move for path: '{from.Last}'");
        var path = Pointer(operation, "path", "move operation failed to decode path");
        var container = state.Find(path) ?? throw PatchException.Invalid($"move operation does not apply: doc is missing destination path: {path.Text}: missing value");
        CheckDepth(path, value);
        InsertInto(container, path, value, $"error in move for path: '{path.Text}'");
    }

    private static void Copy(ApplyState state, JsonObject operation)
    {
        var from = Pointer(operation, "from", "copy operation failed to decode from");
        JsonNode? original;
        if (from.IsRoot)
        {
            original = state.Root;
        }
        else
        {
            var source = state.Find(from);
            if (source is null || !TryGet(source, from.Last, out original))
            {
                throw PatchException.Invalid($"copy operation does not apply: doc is missing from path: {from.Text}: missing value");
            }
        }
        var path = Pointer(operation, "path", "copy operation failed to decode path");
        var container = state.Find(path) ?? throw PatchException.Invalid($"copy operation does not apply: doc is missing destination path: {path.Text}: missing value");
        CheckDepth(path, original);
        state.CountCopy(original);
        InsertInto(container, path, original?.DeepClone(), "error while adding value during copy");
    }

    private static void Test(ApplyState state, JsonObject operation)
    {
        var path = Pointer(operation, "path", "test operation failed to decode path");
        var expected = operation["value"];
        JsonNode? actual;
        if (path.IsRoot)
        {
            actual = state.Root;
        }
        else
        {
            var container = state.Find(path) ?? throw PatchException.Invalid($"test operation does not apply: is missing path: {path.Text}: missing value");
            if (container is JsonArray array)
            {
                var index = ExistingIndex(array, path.Last) ?? throw PatchException.Invalid($"error in test for path: '{path.Text}': Unable to access invalid index: {path.Last}: invalid index referenced");
                actual = array[index];
            }
            else
            {
                // An absent member tests equal to null, as in v4.
                actual = ((JsonObject)container)[path.Last];
            }
        }
        if (!JsonNode.DeepEquals(actual, expected))
        {
            throw PatchException.Invalid($"testing value {path.Text} failed: test failed");
        }
    }

    private static JsonPointer Pointer(JsonObject operation, string field, string context)
    {
        var node = operation[field];
        if (node is null)
        {
            throw PatchException.Invalid($"{context}: missing value");
        }
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            throw PatchException.Invalid($"{context}: json: cannot unmarshal {JsonKindName.Of(node)} into Go value of type string");
        }
        // A path without its leading slash names nothing; the operation reports it as missing.
        return JsonPointer.TryParse(text) ?? JsonPointer.Dangling(text);
    }

    /// <summary>The operation's value, detached from the patch so it can join the document. Absent means null, as in v4.</summary>
    private static JsonNode? TakeValue(JsonObject operation)
    {
        if (!operation.TryGetPropertyValue("value", out var value))
        {
            return null;
        }
        operation.Remove("value");
        return value;
    }

    private static void InsertInto(JsonNode container, JsonPointer path, JsonNode? value, string context)
    {
        if (container is JsonObject obj)
        {
            obj[path.Last] = value;
            return;
        }
        var array = (JsonArray)container;
        var key = path.Last;
        if (key == "-")
        {
            array.Add(value);
            return;
        }
        if (!TryParseIndex(key, out var index))
        {
            throw PatchException.Invalid($"{context}: value was not a proper array index: '{key}'");
        }
        // Inserting may target one past the end; negative indices count from that new end.
        var size = array.Count + 1;
        if (index >= size || index < -size)
        {
            throw PatchException.Invalid($"{context}: Unable to access invalid index: {index}: invalid index referenced");
        }
        array.Insert(index < 0 ? index + size : index, value);
    }

    private static JsonNode? RemoveFrom(JsonNode container, JsonPointer path, string context)
    {
        if (container is JsonObject obj)
        {
            if (!obj.TryGetPropertyValue(path.Last, out var value))
            {
                throw PatchException.Invalid($"{context}: Unable to remove nonexistent key: {path.Last}: missing value");
            }
            obj.Remove(path.Last);
            return value;
        }
        var array = (JsonArray)container;
        var index = ExistingIndex(array, path.Last) ?? throw PatchException.Invalid($"{context}: Unable to access invalid index: {path.Last}: invalid index referenced");
        var removed = array[index];
        array.RemoveAt(index);
        return removed;
    }

    private static bool TryGet(JsonNode container, string key, out JsonNode? value)
    {
        if (container is JsonObject obj)
        {
            return obj.TryGetPropertyValue(key, out value);
        }
        var array = (JsonArray)container;
        var index = ExistingIndex(array, key);
        value = index is { } i ? array[i] : null;
        return index is not null;
    }

    /// <summary>The position an index token names in the array, negative ones counting from the end; null when out of range.</summary>
    private static int? ExistingIndex(JsonArray array, string token)
    {
        if (!TryParseIndex(token, out var index) || index >= array.Count || index < -array.Count)
        {
            return null;
        }
        return index < 0 ? index + array.Count : index;
    }

    // strconv.Atoi: an optional sign and decimal digits.
    private static bool TryParseIndex(string token, out int index) =>
        int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index);

    /// <summary>Refuses a value that would nest the document deeper than <see cref="PatchLimits.MaxDepth"/>.</summary>
    private static void CheckDepth(JsonPointer path, JsonNode? value)
    {
        var depth = path.Tokens.Count + JsonDepth.Of(value);
        if (depth > PatchLimits.MaxDepth)
        {
            throw PatchException.Invalid($"the patched document would nest {depth} levels, more than the limit of {PatchLimits.MaxDepth}");
        }
    }

    /// <summary>Bytes of the value's compact JSON, counted without keeping them.</summary>
    private static long SerializedSize(JsonNode? value)
    {
        using var writer = new Utf8JsonWriter(Stream.Null, new JsonWriterOptions { MaxDepth = PatchLimits.MaxDepth + 1 });
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
        writer.Flush();
        return writer.BytesCommitted;
    }

    /// <summary>The document being patched and what its operations have cost so far.</summary>
    private sealed class ApplyState(JsonNode root)
    {
        private long copiedBytes;

        public JsonNode Root { get; set; } = root;

        /// <summary>The object or array that holds the pointer's target, or null when the path to it does not exist.</summary>
        public JsonNode? Find(JsonPointer pointer)
        {
            if (pointer.IsRoot || pointer.IsDangling)
            {
                return null;
            }
            var current = Root;
            for (var i = 0; i < pointer.Tokens.Count - 1; i++)
            {
                JsonNode? next;
                switch (current)
                {
                    case JsonObject obj:
                        next = obj[pointer.Tokens[i]];
                        break;
                    case JsonArray array when ExistingIndex(array, pointer.Tokens[i]) is { } index:
                        next = array[index];
                        break;
                    default:
                        return null;
                }
                if (next is not (JsonObject or JsonArray))
                {
                    return null;
                }
                current = next;
            }
            return current;
        }

        /// <summary>Counts the serialized size of a copied value against <see cref="PatchLimits.MaxJsonPatchCopyBytes"/> (v4's AccumulatedCopySizeLimit).</summary>
        public void CountCopy(JsonNode? value)
        {
            copiedBytes += SerializedSize(value);
            if (copiedBytes > PatchLimits.MaxJsonPatchCopyBytes)
            {
                throw PatchException.Invalid(
                    $"Unable to complete the copy, the accumulated size increase of copy is {copiedBytes}, exceeding the limit {PatchLimits.MaxJsonPatchCopyBytes}");
            }
        }
    }
}
