using System.Collections;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// A CEL map as cel-net reads it. cel-net selects fields only on a concrete
/// <see cref="Dictionary{TKey,TValue}"/> of string to object, and its <c>map</c> and
/// <c>filter</c> macros walk any other map as key/value pairs; CEL iterates a map's keys
/// (cel-spec "Macros"). Re-implementing the non-generic <see cref="IEnumerable"/> to yield the
/// keys makes those macros iterate keys, as cel-go does.
/// </summary>
internal sealed class CelMap : Dictionary<string, object?>, IEnumerable
{
    public CelMap(int capacity)
        : base(capacity, StringComparer.Ordinal)
    {
    }

    IEnumerator IEnumerable.GetEnumerator() => Keys.GetEnumerator();
}

/// <summary>A namespace of functions (<c>sets</c>, <c>format</c>, <c>optional</c>, <c>strings</c>, <c>ip</c>), bound as a variable so that <c>sets.contains(a, b)</c> resolves as a member call.</summary>
internal sealed record CelNamespace(string Name);

/// <summary>A CEL optional (cel-go's types.Optional): <c>optional.of(v)</c> or <c>optional.none()</c>.</summary>
internal sealed record CelOptional(bool HasValue, object? Value)
{
    public static CelOptional None { get; } = new(false, null);
}

/// <summary>A runtime error inside a function of ours, with cel-go's wording.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message)
{
}

/// <summary>The evaluation ran past its cost or time budget (upstream's "operation cancelled: actual cost limit exceeded").</summary>
internal sealed class CelCostLimitException() : Exception(CelCostLimitException.Text)
{
    public const string Text = "operation cancelled: actual cost limit exceeded";
}
