using k8s;
using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// A parsed label selector: requirements that must all hold, kept sorted by key as
/// apimachinery pkg/labels/selector.go does (so <see cref="ToString"/> is canonical). The one
/// matcher of the cluster: the API server filters lists with it, informers and controllers
/// select their pods with it, the scheduler evaluates affinity terms with it. Built from the
/// query-string syntax (<see cref="Parse"/>), a metav1.LabelSelector (<see cref="From"/>), a
/// plain map (<see cref="FromSet"/>, for Service and ReplicationController) or requirements
/// already built (<see cref="FromRequirements"/>). Immutable and thread-safe.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool _matchesNothing;

    private LabelSelector(IEnumerable<LabelRequirement> requirements, bool matchesNothing = false)
    {
        Requirements = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        _matchesNothing = matchesNothing;
    }

    /// <summary>Matches every object (an empty selector string, or a metav1.LabelSelector with no terms).</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>Matches no object (a null metav1.LabelSelector, labels.Nothing upstream).</summary>
    public static LabelSelector Nothing { get; } = new([], matchesNothing: true);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEverything => !_matchesNothing && Requirements.Count == 0;

    /// <summary>
    /// Parses the <c>labelSelector</c> query syntax. Null or blank selects everything. Throws
    /// <see cref="InvalidSelectorException"/> with kube-apiserver's message on bad syntax.
    /// </summary>
    public static LabelSelector Parse(string? selector) =>
        string.IsNullOrEmpty(selector) ? Everything : new LabelSelector(LabelSelectorParser.Parse(selector));

    /// <summary>
    /// Converts a metav1.LabelSelector as metav1.LabelSelectorAsSelector does: null selects
    /// nothing, an empty one everything. Throws <see cref="InvalidSelectorException"/> with
    /// upstream's message for an unknown operator or invalid keys and values.
    /// </summary>
    public static LabelSelector From(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [value]));
        }

        foreach (var expression in selector.MatchExpressions ?? [])
        {
            requirements.Add(FromExpression(expression.Key ?? "", expression.OperatorProperty ?? "", [.. expression.Values ?? []]));
        }

        return FromRequirements(requirements);
    }

    /// <summary>
    /// One matchExpressions entry (key, operator In/NotIn/Exists/DoesNotExist, values) as a
    /// requirement, with LabelSelectorAsSelector's errors; for callers that read the selector
    /// from another shape than <see cref="V1LabelSelector"/> (the API server's JSON).
    /// </summary>
    public static LabelRequirement FromExpression(string key, string op, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(op);
        var kind = op switch
        {
            "In" => LabelOperator.In,
            "NotIn" => LabelOperator.NotIn,
            "Exists" => LabelOperator.Exists,
            "DoesNotExist" => LabelOperator.DoesNotExist,
            _ => throw new InvalidSelectorException($"{GoStrings.Quote(op)} is not a valid label selector operator"),
        };
        return LabelRequirement.Create(key, kind, values);
    }

    /// <summary>A selector of requirements that must all hold; none selects everything.</summary>
    public static LabelSelector FromRequirements(IReadOnlyCollection<LabelRequirement> requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        return requirements.Count == 0 ? Everything : new LabelSelector(requirements);
    }

    /// <summary>
    /// A selector requiring each key to equal its value (labels.SelectorFromSet), for the
    /// map-shaped selectors of Service and ReplicationController and for template labels. Null
    /// or empty selects everything. Like upstream's it does not validate keys and values, so it
    /// never throws.
    /// </summary>
    public static LabelSelector FromSet(IDictionary<string, string>? set)
    {
        if (set is null || set.Count == 0)
        {
            return Everything;
        }

        return new LabelSelector(set.Select(pair => LabelRequirement.Equal(pair.Key, pair.Value)).ToList());
    }

    /// <summary>Whether the labels (possibly absent, which means none) satisfy every requirement.</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_matchesNothing)
        {
            return false;
        }

        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the object's <c>metadata.labels</c> satisfy every requirement.</summary>
    public bool Matches(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Matches(obj.Metadata?.Labels);
    }

    /// <summary>
    /// The canonical selector string, e.g. <c>app=web,tier in (a,b)</c> (what Scale's
    /// status.selector carries and a <c>labelSelector=</c> query takes); "" for Everything and
    /// Nothing, as upstream's String().
    /// </summary>
    public override string ToString() => string.Join(",", Requirements);
}
