using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// CEL optionals as far as cel-net's parser lets us: <c>optional.of(v)</c>,
/// <c>optional.none()</c>, <c>optional.ofNonZeroValue(v)</c>, <c>hasValue()</c>, <c>value()</c>,
/// <c>orValue(v)</c> and <c>or(o)</c> — enough for optionalOldSelf (<c>oldSelf.hasValue()</c>)
/// and for <c>self.?field.orValue(d)</c>: cel-net reads <c>.?</c> as a plain select that yields a
/// missing-field marker, which these functions take as none.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterOptionals(CelNet.CelEnvironment env)
    {
        AddNamespaced(env, "optional", "of", [typeof(object)], a => new CelOptional(true, a[0]));
        AddNamespaced(env, "optional", "none", [], _ => CelOptional.None);
        AddNamespaced(env, "optional", "ofNonZeroValue", [typeof(object)], a => IsZero(a[0]) ? CelOptional.None : new CelOptional(true, a[0]));
        Add(env, "hasValue", [typeof(object)], a => AsOptional(a[0]).HasValue);
        Add(env, "value", [typeof(object)], a => AsOptional(a[0]) is { HasValue: true } o ? o.Value : throw new CelEvaluationException("optional.none() dereference"));
        Add(env, "orValue", [typeof(object), typeof(object)], a => AsOptional(a[0]) is { HasValue: true } o ? o.Value : a[1]);
        Add(env, "or", [typeof(object), typeof(object)], a => AsOptional(a[0]) is { HasValue: true } o ? o : AsOptional(a[1]));
    }

    private static CelOptional AsOptional(object? value) => value switch
    {
        CelOptional optional => optional,
        _ when value?.GetType().Name == "CelNoSuchField" => CelOptional.None, // cel-net's result of selecting an absent field
        _ => new CelOptional(true, value),
    };

    private static bool IsZero(object? value) => value switch
    {
        null => true,
        string s => s.Length == 0,
        long l => l == 0,
        ulong u => u == 0,
        double d => d == 0,
        bool b => !b,
        System.Collections.ICollection c => c.Count == 0,
        _ => false,
    };
}
