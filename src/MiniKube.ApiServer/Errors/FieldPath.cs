
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// An immutable path to a field as upstream prints it: children joined by dots, list indexes
/// as <c>[0]</c>, map keys as <c>[key]</c> (apimachinery pkg/util/validation/field/path.go).
/// </summary>
public sealed class FieldPath
{
    // Validation walks every field of an object and names a path for each, but prints one only
    // for an error: a path is its parent and its last element, and its text is built (and kept)
    // the first time it is printed.
    private readonly FieldPath? parent;
    private readonly string? name;
    private readonly int index;
    private readonly ElementKind kind;
    private string? text;

    private FieldPath(FieldPath? parent, string? name, int index, ElementKind kind)
    {
        this.parent = parent;
        this.name = name;
        this.index = index;
        this.kind = kind;
        text = parent is null ? "" : null;
    }

    private enum ElementKind
    {
        Field,
        Index,
        Key,
    }

    /// <summary>The empty path (an error about the whole object).</summary>
    public static FieldPath Root { get; } = new(null, null, 0, ElementKind.Field);

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

    public FieldPath Child(string name) => new(this, name, 0, ElementKind.Field);

    public FieldPath Index(int index) => new(this, null, index, ElementKind.Index);

    public FieldPath Key(string key) => new(this, key, 0, ElementKind.Key);

    public override string ToString() => text ??= Print();

    private string Print()
    {
        var above = parent!.ToString();
        return kind switch
        {
            ElementKind.Field => above.Length == 0 ? name! : $"{above}.{name}",
            ElementKind.Index => $"{above}[{index.ToString(CultureInfo.InvariantCulture)}]",
            _ => $"{above}[{name}]",
        };
    }
}
