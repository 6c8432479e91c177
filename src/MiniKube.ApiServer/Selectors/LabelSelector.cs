using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Selectors;

/// <summary>
/// A parsed label selector: requirements that must all hold, kept sorted by key as
/// apimachinery pkg/labels/selector.go does (so <see cref="ToString"/> is canonical). Built from
/// the query-string syntax (<see cref="Parse"/>), a metav1.LabelSelector object
/// (<see cref="FromLabelSelector"/>, for workloads) or a plain map (<c>FromSet</c>, for
/// services and replication controllers). Immutable.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool _matchesNothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing = false)
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
    /// Converts a metav1.LabelSelector (<c>{"matchLabels":{..},"matchExpressions":[..]}</c>), as
    /// metav1.LabelSelectorAsSelector does: null selects nothing, an empty one everything.
    /// Throws <see cref="InvalidSelectorException"/> for an unknown operator or invalid key/values.
    /// </summary>
    public static LabelSelector FromLabelSelector(JsonObject? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in JsonFields.StringMap(selector, "matchLabels"))
        {
            requirements.Add(LabelRequirement.Create(key, LabelOperator.Equals, [value]));
        }

        foreach (var expression in JsonFields.Objects(selector, "matchExpressions"))
        {
            var op = JsonFields.Text(expression, "operator");
            var kind = op switch
            {
                "In" => LabelOperator.In,
                "NotIn" => LabelOperator.NotIn,
                "Exists" => LabelOperator.Exists,
                "DoesNotExist" => LabelOperator.DoesNotExist,
                _ => throw new InvalidSelectorException($"{GoSyntax.Quote(op)} is not a valid label selector operator"),
            };
            var values = (JsonFields.Array(expression, "values") ?? []).Select(v => v is JsonValue text && text.TryGetValue(out string? value) ? value : "").ToList();
            requirements.Add(LabelRequirement.Create(JsonFields.Text(expression, "key"), kind, values));
        }

        return requirements.Count == 0 ? Everything : new LabelSelector(requirements);
    }

    /// <summary>
    /// A selector requiring each key to equal its value (labels.SelectorFromSet), for the
    /// map-shaped selectors of Service and ReplicationController. Null or empty selects everything.
    /// </summary>
    public static LabelSelector FromSet(IReadOnlyDictionary<string, string>? set)
    {
        if (set is null || set.Count == 0)
        {
            return Everything;
        }

        return new LabelSelector(set.Select(pair => LabelRequirement.Create(pair.Key, LabelOperator.Equals, [pair.Value])).ToList());
    }

    /// <inheritdoc cref="FromSet(IReadOnlyDictionary{string, string}?)"/>
    public static LabelSelector FromSet(JsonObject? set) => set is null ? Everything : FromSet(JsonFields.StringMap(set));

    /// <summary>Whether the labels (an object's <c>metadata.labels</c>, possibly absent) satisfy every requirement.</summary>
    public bool Matches(JsonObject? labels) => Matches(JsonFields.StringMap(labels));

    /// <inheritdoc cref="Matches(JsonObject?)"/>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return !_matchesNothing && Requirements.All(r => r.Matches(labels));
    }

    /// <summary>
    /// The canonical selector string, e.g. <c>app=web,tier in (a,b)</c> (what Scale's
    /// status.selector carries); "" for Everything and Nothing.
    /// </summary>
    public override string ToString() => string.Join(",", Requirements);
}
