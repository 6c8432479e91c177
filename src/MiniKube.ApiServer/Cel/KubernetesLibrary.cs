using System.Collections;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The functions Kubernetes adds to CEL, registered on cel-net: cel-go's strings extension and
/// Kubernetes' libraries (apiserver pkg/cel/library: regex, lists, sets, url, quantity, ip,
/// cidr, format) plus optionals; each family is in a <c>KubernetesLibrary.*.cs</c> file.
/// cel-net resolves a call by name and the runtime types of its arguments, newest registration
/// first, so ours also replace cel-net's where it differs from cel-go (size is an int64,
/// <c>matches</c> uses a non-backtracking regex). Every call is charged to the <see cref="CelBudget"/>.
/// </summary>
internal static partial class KubernetesLibrary
{
    private static readonly HashSet<string> Macros = new(StringComparer.Ordinal) { "all", "exists", "exists_one", "map", "filter" };

    private static readonly HashSet<string> Namespaces = new(StringComparer.Ordinal) { "sets", "format", "optional", "strings", "ip" };

    // cel-net's own functions (its CelFunctions registrations), which need no entry of ours.
    private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
    {
        "bool", "bytes", "contains", "double", "duration", "dyn", "endsWith", "getDate", "getDayOfMonth", "getDayOfWeek",
        "getDayOfYear", "getFullYear", "getHours", "getMilliseconds", "getMinutes", "getMonth", "getSeconds", "has",
        "int", "startsWith", "string", "timestamp", "type", "uint",
    };

    public static bool IsMacro(string name) => Macros.Contains(name);

    public static bool IsNamespace(string name) => Namespaces.Contains(name);

    public static bool IsFunction(string name) => Functions.Contains(name);

    /// <summary>Registers everything on <paramref name="env"/>; called once per environment.</summary>
    public static void Register(CelNet.CelEnvironment env)
    {
        RegisterStrings(env);
        RegisterRegex(env);
        RegisterLists(env);
        RegisterSets(env);
        RegisterUrls(env);
        RegisterQuantities(env);
        RegisterIps(env);
        RegisterFormats(env);
        RegisterOptionals(env);
    }

    private static void Add(CelNet.CelEnvironment env, string name, Type[] types, Func<object?[], object?> function)
    {
        Functions.Add(name);
        env.RegisterFunction(name, types, args =>
        {
            CelBudget.Charge();
            return function(args);
        });
    }

    /// <summary>A function of a namespace, e.g. <c>sets.contains(a, b)</c>: the namespace arrives as the first argument.</summary>
    private static void AddNamespaced(CelNet.CelEnvironment env, string ns, string name, Type[] types, Func<object?[], object?> function) =>
        Add(env, name, [typeof(CelNamespace), .. types], args =>
            ((CelNamespace)args[0]!).Name == ns ? function(args[1..]) : throw new CelEvaluationException($"no such overload: {((CelNamespace)args[0]!).Name}.{name}"));

    private static string Str(object? value) => (string)value!;

    private static long Int(object? value) => value switch
    {
        long l => l,
        int i => i,
        ulong u when u <= long.MaxValue => (long)u,
        _ => throw new CelEvaluationException("no such overload"),
    };

    private static IList List(object? value) => (IList)value!;

    /// <summary>CEL equality: numbers compare by value across int, uint and double; lists and maps element-wise.</summary>
    internal static bool CelEquals(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a, b) == 0;
        }
        if (a is IDictionary ma && b is IDictionary mb)
        {
            return ma.Count == mb.Count && ma.Keys.Cast<object>().All(k => mb.Contains(k) && CelEquals(ma[k], mb[k]));
        }
        if (a is IList la && b is IList lb)
        {
            return la.Count == lb.Count && Enumerable.Range(0, la.Count).All(i => CelEquals(la[i], lb[i]));
        }
        return a.Equals(b);
    }

    /// <summary>CEL ordering for ints, uints, doubles, strings, bools, durations and timestamps.</summary>
    internal static int CelCompare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return CompareNumbers(a!, b!);
        }
        return (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y) switch { < 0 => -1, > 0 => 1, _ => 0 },
            (bool x, bool y) => x.CompareTo(y),
            (TimeSpan x, TimeSpan y) => x.CompareTo(y),
            (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
            (IComparable x, _) when b is not null && a!.GetType() == b.GetType() => x.CompareTo(b),
            _ => throw new CelEvaluationException("no such overload"),
        };
    }

    private static bool IsNumber(object? value) => value is long or int or ulong or double;

    private static int CompareNumbers(object a, object b) => (a, b) switch
    {
        (long or int, long or int) => Convert.ToInt64(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToInt64(b, CultureInfo.InvariantCulture)),
        (ulong x, ulong y) => x.CompareTo(y),
        _ => Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
    };
}
