using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Quantities as they stand in wire-format JSON (a string, or a bare number that
/// resource.Quantity also accepts), read through <see cref="Quantities.TryParse(string, out decimal)"/>. Error
/// messages show the quantity as the client wrote it, not upstream's canonical form.
/// </summary>
internal static class Quantity
{
    /// <summary>The quantity's text: a JSON string as is, a JSON number as written.</summary>
    public static string Text(JsonNode? node) => GoSyntax.ScalarText(node);

    public static bool TryParse(JsonNode? node, out decimal value)
    {
        value = 0;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
        return node is JsonValue s && s.GetValueKind() == JsonValueKind.String && Quantities.TryParse(s.GetValue<string>(), out value);
    }
}
