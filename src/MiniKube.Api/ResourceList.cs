using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// A resource list (core/v1 ResourceList) as quota arithmetic needs it, ordered by name so
/// messages and status come out the same every time, with the helpers of apiserver
/// pkg/quota/v1/resources.go: add, subtract, mask, compare, and upstream's pretty printing.
/// </summary>
public sealed class ResourceList : SortedDictionary<string, ExactQuantity>
{
    public ResourceList()
        : base(StringComparer.Ordinal)
    {
    }

    public ResourceList(IEnumerable<KeyValuePair<string, ExactQuantity>> items)
        : this()
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var (name, quantity) in items)
        {
            this[name] = quantity;
        }
    }

    /// <summary>A model resource list (null or empty: an empty list).</summary>
    public static ResourceList From(IDictionary<string, ResourceQuantity>? items) =>
        new((items ?? new Dictionary<string, ResourceQuantity>()).Select(p => KeyValuePair.Create(p.Key, ExactQuantity.From(p.Value))));

    /// <summary>The model form, each quantity in canonical text.</summary>
    public Dictionary<string, ResourceQuantity> ToModel() => this.ToDictionary(p => p.Key, p => p.Value.ToModel(), StringComparer.Ordinal);

    /// <summary>quota.Add: every name of either list, summed where both have it.</summary>
    public ResourceList Plus(IReadOnlyDictionary<string, ExactQuantity> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new ResourceList(this);
        foreach (var (name, quantity) in other)
        {
            result[name] = result.TryGetValue(name, out var existing) ? existing.Add(quantity) : quantity;
        }
        return result;
    }

    /// <summary>quota.SubtractWithNonNegativeResult: this minus other, never below zero.</summary>
    public ResourceList MinusNonNegative(IReadOnlyDictionary<string, ExactQuantity> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var result = new ResourceList();
        foreach (var (name, quantity) in this)
        {
            var difference = other.TryGetValue(name, out var subtrahend) ? quantity.Subtract(subtrahend) : quantity;
            result[name] = difference.Value < 0 ? difference with { Value = 0 } : difference;
        }
        return result;
    }

    /// <summary>quota.Mask: only the given names.</summary>
    public ResourceList Mask(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var keep = names as ISet<string> ?? names.ToHashSet(StringComparer.Ordinal);
        return new ResourceList(this.Where(p => keep.Contains(p.Key)));
    }

    /// <summary>quota.RemoveZeros.</summary>
    public ResourceList WithoutZeros() => new(this.Where(p => p.Value.Value != 0));

    /// <summary>quota.IsNegative: the names with a negative amount.</summary>
    public IReadOnlyList<string> Negative() => [.. this.Where(p => p.Value.Value < 0).Select(p => p.Key)];

    /// <summary>
    /// quota.LessThanOrEqual against <paramref name="limits"/>: the names whose amount exceeds
    /// the limit; names without a limit are not constrained. Empty: within limits.
    /// </summary>
    public IReadOnlyList<string> Exceeding(IReadOnlyDictionary<string, ExactQuantity> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return [.. this.Where(p => limits.TryGetValue(p.Key, out var limit) && p.Value.Value > limit.Value).Select(p => p.Key)];
    }

    /// <summary>quota.Equals: the same names with equal amounts (formats aside).</summary>
    public bool SameAs(IReadOnlyDictionary<string, ExactQuantity> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Count == other.Count && this.All(p => other.TryGetValue(p.Key, out var q) && q.Value == p.Value.Value);
    }

    /// <summary>The resource quota admission's prettyPrint: "name=amount" by name, comma-separated.</summary>
    public override string ToString() => string.Join(",", this.Select(p => $"{p.Key}={p.Value}"));
}
