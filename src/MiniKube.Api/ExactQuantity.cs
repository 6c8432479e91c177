using k8s.Models;

namespace MiniKube.Api;

/// <summary>
/// A quantity for exact arithmetic (quota usage, limit ranges): its value and the format its
/// canonical text keeps, as resource.Quantity carries both. <see cref="ToString"/> is upstream's
/// canonical text ("1Gi", "500m"), the form quota status and admission messages print.
/// </summary>
public readonly record struct ExactQuantity(decimal Value, QuantityFormat Format)
{
    /// <summary>Zero in DecimalSI, the "0" upstream starts every usage sum from.</summary>
    public static ExactQuantity Zero { get; } = new(0, QuantityFormat.DecimalSI);

    /// <summary>A count (DecimalSI), as resource.NewQuantity(n, DecimalSI).</summary>
    public static ExactQuantity Count(long n) => new(n, QuantityFormat.DecimalSI);

    /// <summary>Reads quantity text; false when it is not a quantity.</summary>
    public static bool TryParse(string? text, out ExactQuantity quantity)
    {
        quantity = Zero;
        if (text is null || !Quantities.TryParse(text.Trim(), out var value, out var format))
        {
            return false;
        }
        quantity = new ExactQuantity(value, format);
        return true;
    }

    /// <summary>A model quantity; zero when its text is not a quantity (validation reports that elsewhere).</summary>
    public static ExactQuantity From(ResourceQuantity? quantity) =>
        quantity is not null && TryParse(quantity.ToString(), out var parsed) ? parsed : Zero;

    /// <summary>Quantity.Add: the sum keeps this format, unless this is zero, which takes the other's.</summary>
    public ExactQuantity Add(ExactQuantity other) => new(Value + other.Value, Value == 0 ? other.Format : Format);

    /// <summary>Quantity.Sub, with the same format rule as <see cref="Add"/>.</summary>
    public ExactQuantity Subtract(ExactQuantity other) => new(Value - other.Value, Value == 0 ? other.Format : Format);

    /// <summary>Quantity.MilliValue: thousandths, rounded up.</summary>
    public long Milli => CeilingToLong(Value * 1000m);

    /// <summary>Quantity.Value: units, rounded up.</summary>
    public long Units => CeilingToLong(Value);

    /// <summary>The model form, in canonical text.</summary>
    public ResourceQuantity ToModel() => new(ToString());

    public override string ToString() => Quantities.Canonical(Value, Format);

    private static long CeilingToLong(decimal value) =>
        value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)Math.Ceiling(value);
}
