using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> (also written <c>==</c>) or <c>field!=value</c>.</summary>
/// <param name="Field">The field label, e.g. spec.nodeName.</param>
/// <param name="Value">The unescaped value; "" matches an absent field.</param>
/// <param name="Negated">True for <c>!=</c>.</param>
public sealed record FieldRequirement(string Field, string Value, bool Negated)
{
    /// <summary>The escaped selector form, as apimachinery's hasTerm/notHasTerm print it.</summary>
    public override string ToString() => $"{Field}{(Negated ? "!=" : "=")}{FieldSelector.EscapeValue(Value)}";
}

/// <summary>
/// A parsed field selector bound to one resource: terms joined by ',' that must all hold,
/// parsed by <see cref="FieldSelectorSyntax"/> as apimachinery pkg/fields/selector.go does and checked against the
/// labels the resource supports (<see cref="SelectableFields"/>). A field the object lacks reads
/// as "", so <c>spec.nodeName=</c> selects unscheduled pods. Immutable.
/// </summary>
public sealed class FieldSelector
{
    private readonly SelectableFields _fields;

    private FieldSelector(IReadOnlyList<FieldRequirement> requirements, SelectableFields fields)
    {
        Requirements = requirements;
        _fields = fields;
    }

    public IReadOnlyList<FieldRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEverything => Requirements.Count == 0;

    /// <summary>
    /// Parses the <c>fieldSelector</c> query parameter for a resource; null or empty selects
    /// everything. Throws <see cref="InvalidSelectorException"/> with kube-apiserver's message
    /// for bad syntax or an unsupported field (e.g. <c>field label not supported: spec.foo</c>).
    /// </summary>
    public static FieldSelector Parse(string? selector, ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var fields = SelectableFields.For(type);
        // Syntax first, then field labels, the order upstream's parse-then-transform gives.
        var resolved = FieldSelectorSyntax.Parse(selector)
            .Select(t => new FieldRequirement(fields.Resolve(t.Field), t.Value, t.Negated))
            .ToArray();
        return new FieldSelector(resolved, fields);
    }

    /// <summary>Whether the object satisfies every term.</summary>
    public bool Matches(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Requirements.All(r => string.Equals(_fields.Read(r.Field, obj), r.Value, StringComparison.Ordinal) != r.Negated);
    }

    /// <summary>
    /// The value a field must equal for anything to match (fields.Selector.RequiresExactMatch),
    /// e.g. metadata.name for a single-object watch; false when the selector leaves it open.
    /// </summary>
    public bool TryGetRequiredValue(string field, out string value)
    {
        foreach (var requirement in Requirements)
        {
            if (requirement.Field == field && !requirement.Negated)
            {
                value = requirement.Value;
                return true;
            }
        }

        value = "";
        return false;
    }

    /// <summary>The canonical selector string, terms sorted and values escaped.</summary>
    public override string ToString() => string.Join(",", Requirements);

    /// <summary>Escapes <c>\</c>, <c>,</c> and <c>=</c> in a value (fields.EscapeValue).</summary>
    public static string EscapeValue(string value) => FieldSelectorSyntax.EscapeValue(value);
}
