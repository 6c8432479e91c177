using k8s;
using k8s.Models;

namespace MiniKube.Client;

/// <summary>
/// A label selector compiled once into requirements, the one place the scheduler and controllers
/// match labels (apimachinery pkg/labels/selector.go and metav1.LabelSelectorAsSelector).
/// Immutable and thread-safe. A null <see cref="V1LabelSelector"/> selects nothing; an empty one
/// selects everything; a map selector (Service, ReplicationController) is an AND of equalities
/// and an empty map selects everything.
/// </summary>
public sealed class LabelSelector
{
    private readonly Requirement[] _requirements;
    private readonly bool _matchesNothing;

    private LabelSelector(Requirement[] requirements, bool matchesNothing)
    {
        _requirements = requirements;
        _matchesNothing = matchesNothing;
    }

    /// <summary>Selects every object.</summary>
    public static LabelSelector Everything { get; } = new([], matchesNothing: false);

    /// <summary>Selects no object.</summary>
    public static LabelSelector Nothing { get; } = new([], matchesNothing: true);

    /// <summary>True when the selector has no requirement and so selects every object.</summary>
    public bool IsEverything => !_matchesNothing && _requirements.Length == 0;

    /// <summary>An equality-based selector from a map (<c>spec.selector</c> of a Service or ReplicationController).</summary>
    public static LabelSelector FromMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return Everything;
        }
        return new([.. map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Requirement(p.Key, Operator.In, [p.Value]))], matchesNothing: false);
    }

    /// <summary>A selector from a <see cref="V1LabelSelector"/>; throws <see cref="ArgumentException"/> when it is invalid, as upstream returns an error.</summary>
    public static LabelSelector From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }
        var requirements = new List<Requirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(new Requirement(key, Operator.In, [value]));
        }
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            requirements.Add(FromExpression(expression));
        }
        return requirements.Count == 0 ? Everything : new([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)], matchesNothing: false);
    }

    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_matchesNothing)
        {
            return false;
        }
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }
        return true;
    }

    public bool Matches(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Matches(obj.Metadata?.Labels);
    }

    /// <summary>The selector in the API's query syntax (<c>a=b,c in (x,y),!d</c>), for <c>labelSelector=</c>.</summary>
    public override string ToString() => _matchesNothing ? "<none>" : string.Join(",", _requirements.Select(r => r.ToString()));

    private static Requirement FromExpression(V1LabelSelectorRequirement expression)
    {
        var values = expression.Values ?? [];
        var op = expression.OperatorProperty switch
        {
            "In" => Operator.In,
            "NotIn" => Operator.NotIn,
            "Exists" => Operator.Exists,
            "DoesNotExist" => Operator.DoesNotExist,
            var other => throw new ArgumentException($"\"{other}\" is not a valid label selector operator"),
        };
        var needsValues = op is Operator.In or Operator.NotIn;
        if (needsValues && values.Count == 0)
        {
            throw new ArgumentException($"values: must be specified when `operator` is '{expression.OperatorProperty}'");
        }
        if (!needsValues && values.Count > 0)
        {
            throw new ArgumentException($"values: may not be specified when `operator` is '{expression.OperatorProperty}'");
        }
        return new Requirement(expression.Key, op, [.. values]);
    }

    private enum Operator
    {
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, string[] Values)
    {
        public bool Matches(IDictionary<string, string>? labels)
        {
            string? value = null;
            var has = labels is not null && labels.TryGetValue(Key, out value);
            return Op switch
            {
                Operator.In => has && Values.Contains(value, StringComparer.Ordinal),
                // NotIn matches objects without the label, as upstream does.
                Operator.NotIn => !has || !Values.Contains(value, StringComparer.Ordinal),
                Operator.Exists => has,
                _ => !has,
            };
        }

        public override string ToString() => Op switch
        {
            Operator.In when Values.Length == 1 => $"{Key}={Values[0]}",
            Operator.In => $"{Key} in ({string.Join(",", Values.Order(StringComparer.Ordinal))})",
            Operator.NotIn => $"{Key} notin ({string.Join(",", Values.Order(StringComparer.Ordinal))})",
            Operator.Exists => Key,
            _ => "!" + Key,
        };
    }
}
