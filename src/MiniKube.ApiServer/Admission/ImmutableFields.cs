using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Admission;

/// <summary>Upstream's ValidateImmutableField over JSON: the value at a path may not change on update.</summary>
internal static class ImmutableFields
{
    public static void Check(JsonObject obj, JsonObject old, List<FieldError> errors, params string[] path)
    {
        JsonNode? now = obj;
        JsonNode? before = old;
        foreach (var segment in path)
        {
            now = (now as JsonObject)?[segment];
            before = (before as JsonObject)?[segment];
        }
        if (JsonNode.DeepEquals(now, before))
        {
            return;
        }
        var value = now switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => BadValue.Of(v.GetValue<string>()),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => BadValue.Of(Objects.JsonFields.AsLong(v)),
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => BadValue.Of(v.GetValue<bool>()),
            null => BadValue.Null,
            _ => BadValue.Go("{...}"),
        };
        errors.Add(FieldError.Invalid(FieldPath.Of(path[0], path[1..]), value, MetaValidation.ImmutableMessage));
    }
}
