
namespace MiniKube.ApiServer.Errors;

/// <summary>
/// The value shown in a field error, already rendered the way kube-apiserver v1.32 prints it:
/// numbers and booleans bare, strings Go-quoted, nil pointers as <c>null</c>, and composite
/// values in Go's <c>%#v</c> syntax (e.g. <c>map[string]string{"app":"x"}</c>) — that is
/// what kubectl users see and search for (field/errors.go before v1.34 switched to JSON).
/// </summary>
public sealed record BadValue(string Text)
{
    /// <summary>True when the error shows no value at all (TooLong, or TooMany without a count).</summary>
    public bool IsOmitted { get; private init; }

    public static BadValue Omitted { get; } = new("") { IsOmitted = true };

    /// <summary>A nil pointer.</summary>
    public static BadValue Null { get; } = new("null");

    public static BadValue Of(string value) => new(GoSyntax.Quote(value));

    public static BadValue Of(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static BadValue Of(bool value) => new(value ? "true" : "false");

    /// <summary>An optional integer: null renders as <c>null</c>, like a nil *int32.</summary>
    public static BadValue Of(long? value) => value is { } v ? Of(v) : Null;

    /// <summary>A value already in Go syntax.</summary>
    public static BadValue Go(string goSyntax) => new(goSyntax);
}
