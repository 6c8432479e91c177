
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// An immutable path to a field as upstream prints it: children joined by dots, list indexes
/// as <c>[0]</c>, map keys as <c>[key]</c> (apimachinery pkg/util/validation/field/path.go).
/// </summary>
public sealed class FieldPath
{
    private readonly string text;

    private FieldPath(string text) => this.text = text;

    /// <summary>The empty path (an error about the whole object).</summary>
    public static FieldPath Root { get; } = new("");

    public static FieldPath Of(string first, params string[] more)
    {
        ArgumentNullException.ThrowIfNull(more);
        var path = Root.Child(first);
        foreach (var name in more)
        {
            path = path.Child(name);
        }
        return path;
    }

    public FieldPath Child(string name) => new(text.Length == 0 ? name : $"{text}.{name}");

    public FieldPath Index(int index) => new($"{text}[{index.ToString(CultureInfo.InvariantCulture)}]");

    public FieldPath Key(string key) => new($"{text}[{key}]");

    public override string ToString() => text;
}
