using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.CustomResources;

/// <summary>
/// Where a walker is inside an object, as a linked list from the leaf: building a child costs one
/// small allocation, and text is made only when an error or unknown field is reported, so walking
/// a large object stays linear. Two renderings, as upstream has two: kube-openapi's
/// (<see cref="Dotted"/>: map keys joined with '.') and apimachinery's field.Path
/// (<see cref="ToFieldPath"/>: map keys as <c>[key]</c>).
/// </summary>
public sealed class ValuePath
{
    private enum Step
    {
        Root,
        Property,
        Key,
        Index,
    }

    private readonly ValuePath? parent;
    private readonly Step step;
    private readonly string name;
    private readonly int index;

    private ValuePath(ValuePath? parent, Step step, string name, int index)
    {
        this.parent = parent;
        this.step = step;
        this.name = name;
        this.index = index;
    }

    /// <summary>The top of an object.</summary>
    public static ValuePath Root { get; } = new(null, Step.Root, "", 0);

    public ValuePath Property(string field) => new(this, Step.Property, field, 0);

    /// <summary>A key of a map (additionalProperties).</summary>
    public ValuePath Key(string key) => new(this, Step.Key, key, 0);

    public ValuePath Index(int i) => new(this, Step.Index, "", i);

    public bool IsRoot => step == Step.Root;

    /// <summary>Number of steps from the root (0 at the root).</summary>
    public int Depth => parent is null ? 0 : parent.Depth + 1;

    /// <summary>kube-openapi's path: <c>spec.items[0].labels.app</c>; "" at the root.</summary>
    public string Dotted()
    {
        var steps = Steps();
        var text = new System.Text.StringBuilder();
        foreach (var s in steps)
        {
            if (s.step == Step.Index)
            {
                text.Append('[').Append(s.index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }
                text.Append(s.name);
            }
        }
        return text.ToString();
    }

    /// <summary>The path as a field.Path below <paramref name="root"/>: <c>spec.items[0].labels[app]</c>.</summary>
    public FieldPath ToFieldPath(FieldPath root)
    {
        var path = root;
        foreach (var s in Steps())
        {
            path = s.step switch
            {
                Step.Index => path.Index(s.index),
                Step.Key => path.Key(s.name),
                _ => path.Child(s.name),
            };
        }
        return path;
    }

    public override string ToString() => Dotted();

    private List<ValuePath> Steps()
    {
        var steps = new List<ValuePath>();
        for (var p = this; p is not null && p.step != Step.Root; p = p.parent)
        {
            steps.Add(p);
        }
        steps.Reverse();
        return steps;
    }
}
