using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Kubernetes' quantity library (apiserver pkg/cel/library/quantity.go) over MiniKube.Api's
/// <see cref="Quantities"/> parser: quantity(s), isQuantity(s), sign, isInteger, asInteger,
/// asApproximateFloat, compareTo, isGreaterThan, isLessThan, add and sub (of a quantity or an int).
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterQuantities(CelNet.CelEnvironment env)
    {
        Type[] q = [typeof(CelQuantity)], qq = [typeof(CelQuantity), typeof(CelQuantity)], qi = [typeof(CelQuantity), typeof(long)];
        Add(env, "quantity", [typeof(string)], a => CelQuantity.Parse(Str(a[0])) ?? throw new CelEvaluationException("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
        Add(env, "isQuantity", [typeof(string)], a => CelQuantity.Parse(Str(a[0])) is not null);
        Add(env, "sign", q, a => (long)Math.Sign(Qty(a[0])));
        Add(env, "isInteger", q, a => decimal.Truncate(Qty(a[0])) == Qty(a[0]) && Qty(a[0]) is >= long.MinValue and <= long.MaxValue);
        Add(env, "asInteger", q, a => decimal.Truncate(Qty(a[0])) == Qty(a[0]) && Qty(a[0]) is >= long.MinValue and <= long.MaxValue
            ? (long)Qty(a[0])
            : throw new CelEvaluationException("cannot convert value to integer"));
        Add(env, "asApproximateFloat", q, a => (double)Qty(a[0]));
        Add(env, "compareTo", qq, a => (long)Qty(a[0]).CompareTo(Qty(a[1])));
        Add(env, "isGreaterThan", qq, a => Qty(a[0]) > Qty(a[1]));
        Add(env, "isLessThan", qq, a => Qty(a[0]) < Qty(a[1]));
        Add(env, "add", qq, a => CelQuantity.Of(Qty(a[0]) + Qty(a[1])));
        Add(env, "add", qi, a => CelQuantity.Of(Qty(a[0]) + Int(a[1])));
        Add(env, "sub", qq, a => CelQuantity.Of(Qty(a[0]) - Qty(a[1])));
        Add(env, "sub", qi, a => CelQuantity.Of(Qty(a[0]) - Int(a[1])));
        Add(env, "string", q, a => ((CelQuantity)a[0]!).Text);
    }

    private static decimal Qty(object? value) => ((CelQuantity)value!).Value;
}

/// <summary>A resource quantity: its exact value and the text it came from.</summary>
internal sealed record CelQuantity(decimal Value, string Text)
{
    public static CelQuantity? Parse(string text) =>
        text.Length > 0 && text.Trim() == text && Quantities.TryParse(text, out var value) ? new CelQuantity(value, text) : null;

    /// <summary>A computed quantity; its text is the plain decimal (upstream would pick a canonical suffix).</summary>
    public static CelQuantity Of(decimal value) => new(value, value.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => Text;
}
