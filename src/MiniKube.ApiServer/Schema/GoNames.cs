using System.Text;
using System.Text.RegularExpressions;

namespace MiniKube.ApiServer.Schema;

/// <summary>
/// The upstream Go names behind k8s.Models classes. The client generator names a class after
/// the OpenAPI definition it came from: version plus Go type name (<c>V1PodSpec</c>), prefixed
/// with the group where two groups share a name (<c>Corev1EndpointPort</c>,
/// <c>Discoveryv1EndpointPort</c>). Splitting the class name back gives what OpenAPI names and
/// Go decode errors show.
/// </summary>
internal static partial class GoNames
{
    /// <param name="GroupPrefix">Lower-case group prefix such as "core", or null when the name has none.</param>
    /// <param name="Version">e.g. v1, v1beta1.</param>
    /// <param name="Name">Go type name, e.g. PodSpec.</param>
    internal readonly record struct ModelName(string? GroupPrefix, string Version, string Name);

    [GeneratedRegex("^(?<group>[A-Z][a-z0-9]*?)?(?<version>[Vv][0-9]+(?:(?:alpha|beta)[0-9]+)?)(?<name>[A-Z][A-Za-z0-9]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelClassName();

    public static ModelName Split(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var match = ModelClassName().Match(model.Name);
        if (!match.Success)
        {
            return new ModelName(null, "v1", model.Name);
        }
        var group = match.Groups["group"].Value;
        return new ModelName(
            group.Length == 0 ? null : group.ToLowerInvariant(),
            match.Groups["version"].Value.ToLowerInvariant(),
            match.Groups["name"].Value);
    }

    /// <summary>
    /// The Go type a value of this schema decodes into, as Go's reflect prints it in
    /// "cannot unmarshal ... of type X" (e.g. int32, []v1.Container, map[string]string).
    /// </summary>
    public static string GoType(SchemaNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var text = new StringBuilder();
        AppendGoType(text, node);
        return text.ToString();
    }

    private static void AppendGoType(StringBuilder text, SchemaNode node)
    {
        switch (node.Kind)
        {
            case SchemaKind.Object when node.Model is not null:
                var name = Split(node.Model);
                text.Append(name.Version).Append('.').Append(name.Name);
                break;
            case SchemaKind.Array:
                text.Append("[]");
                AppendItems(text, node);
                break;
            case SchemaKind.Map:
                text.Append("map[string]");
                AppendItems(text, node);
                break;
            case SchemaKind.String:
                text.Append("string");
                break;
            case SchemaKind.Integer:
                text.Append(node.Format ?? "int64");
                break;
            case SchemaKind.Number:
                text.Append("float64");
                break;
            case SchemaKind.Boolean:
                text.Append("bool");
                break;
            case SchemaKind.IntOrString:
                text.Append("intstr.IntOrString");
                break;
            case SchemaKind.Quantity:
                text.Append("resource.Quantity");
                break;
            case SchemaKind.Time:
                text.Append("v1.Time");
                break;
            case SchemaKind.Bytes:
                text.Append("[]uint8");
                break;
            default:
                text.Append("interface {}");
                break;
        }
    }

    private static void AppendItems(StringBuilder text, SchemaNode node)
    {
        if (node.Items is null)
        {
            text.Append("interface {}");
            return;
        }
        AppendGoType(text, node.Items);
    }
}
