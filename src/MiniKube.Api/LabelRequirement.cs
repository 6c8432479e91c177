using System.Globalization;

namespace MiniKube.Api;

/// <summary>The operators of a label requirement (apimachinery pkg/selection/operator.go).</summary>
public enum LabelOperator
{
    Equals,
    DoubleEquals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// <summary>
/// One term of a label selector: a key, an operator and its values. Built through
/// <see cref="Create"/>, which enforces the rules of apimachinery's labels.NewRequirement, so
/// an instance is valid; only a map selector's equalities skip the checks, as upstream's
/// SelectorFromSet does.
/// </summary>
public sealed class LabelRequirement
{
    private readonly string[] _values;

    private LabelRequirement(string key, LabelOperator op, string[] values)
    {
        Key = key;
        Operator = op;
        _values = values;
    }

    public string Key { get; }

    public LabelOperator Operator { get; }

    /// <summary>The values as given; one for the equality and comparison operators, none for (Does not) Exists.</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>Validates and builds a requirement; throws <see cref="InvalidSelectorException"/> with upstream's messages.</summary>
    public static LabelRequirement Create(string key, LabelOperator op, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        var errors = new List<string>();
        if (LabelSyntax.KeyErrors(key) is { Count: > 0 } keyErrors)
        {
            errors.Add(LabelSyntax.Invalid("key", key, string.Join("; ", keyErrors)));
        }

        switch (op)
        {
            case LabelOperator.In or LabelOperator.NotIn when values.Count == 0:
                errors.Add(LabelSyntax.Invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.NotEquals when values.Count != 1:
                errors.Add(LabelSyntax.Invalid("values", values, "exact-match compatibility requires one single value"));
                break;
            case LabelOperator.Exists or LabelOperator.DoesNotExist when values.Count != 0:
                errors.Add(LabelSyntax.Invalid("values", values, "values set must be empty for exists and does not exist"));
                break;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (values.Count != 1)
                {
                    errors.Add(LabelSyntax.Invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"));
                }

                for (var i = 0; i < values.Count; i++)
                {
                    if (!long.TryParse(values[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        errors.Add(LabelSyntax.Invalid($"values[{i}]", values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }

                break;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (LabelSyntax.ValueErrors(values[i]) is { Count: > 0 } valueErrors)
            {
                errors.Add(LabelSyntax.Invalid($"values[{i}][{key}]", values[i], string.Join("; ", valueErrors)));
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidSelectorException(LabelSyntax.Aggregate(errors));
        }

        return new LabelRequirement(key, op, values.ToArray());
    }

    /// <summary>
    /// A key=value requirement taken as given, for labels.SelectorFromSet, which does not
    /// validate (a set comes from an object the API server validated already).
    /// </summary>
    internal static LabelRequirement Equal(string key, string value) => new(key, LabelOperator.Equals, [value]);

    /// <summary>Whether a label set (absent: no labels) satisfies this requirement (labels.Requirement.Matches).</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        string? value = null;
        var exists = labels is not null && labels.TryGetValue(Key, out value);
        return Evaluate(Operator, _values, exists, value);
    }

    /// <summary>
    /// The meaning of each operator, shared with node selector requirements (which are not
    /// validated first): set operators compare ordinally; Gt/Lt need one integer bound and an
    /// integer label, anything else does not match, as upstream.
    /// </summary>
    internal static bool Evaluate(LabelOperator op, IList<string> values, bool exists, string? value)
    {
        switch (op)
        {
            case LabelOperator.Equals or LabelOperator.DoubleEquals or LabelOperator.In:
                return exists && values.Contains(value!, StringComparer.Ordinal);
            case LabelOperator.NotEquals or LabelOperator.NotIn:
                return !exists || !values.Contains(value!, StringComparer.Ordinal);
            case LabelOperator.Exists:
                return exists;
            case LabelOperator.DoesNotExist:
                return !exists;
            case LabelOperator.GreaterThan or LabelOperator.LessThan:
                if (!exists
                    || values.Count != 1
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return op == LabelOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>The selector-syntax form, e.g. <c>app=web</c>, <c>tier in (a,b)</c>, <c>!gpu</c>; set values sorted.</summary>
    public override string ToString()
    {
        var values = string.Join(",", Values.Order(StringComparer.Ordinal));
        return Operator switch
        {
            LabelOperator.Equals => $"{Key}={values}",
            LabelOperator.DoubleEquals => $"{Key}=={values}",
            LabelOperator.NotEquals => $"{Key}!={values}",
            LabelOperator.In => $"{Key} in ({values})",
            LabelOperator.NotIn => $"{Key} notin ({values})",
            LabelOperator.GreaterThan => $"{Key}>{values}",
            LabelOperator.LessThan => $"{Key}<{values}",
            LabelOperator.Exists => Key,
            LabelOperator.DoesNotExist => "!" + Key,
            _ => Key,
        };
    }
}
