using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// One compiled expression on cel-net. Converts the activation's JSON to cel-net values, runs
/// the program under a <see cref="CelBudget"/>, and turns cel-net's exceptions into cel-go's
/// error texts (<c>no such key: x</c>, <c>index out of bounds</c>, <c>division by zero</c>,
/// <c>no such overload</c>).
/// </summary>
internal sealed partial class CelNetProgram(string expression, CelNet.CelProgramDelegate program, HashSet<string> variables, int comprehensionDepth)
    : ICelProgram
{
    public string Expression => expression;

    public bool References(string variable) => variables.Contains(variable);

    public CelOutcome Evaluate(CelActivation activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var converter = activation.Converter;
        var bound = new CelVariables(activation.Bindings.Count);
        foreach (var (name, binding) in activation.Bindings)
        {
            if (!variables.Contains(name))
            {
                continue; // unused variables are never converted
            }
            bound[name] = binding.Kind switch
            {
                CelBindingKind.OptionalNone => CelOptional.None,
                CelBindingKind.OptionalOf => new CelOptional(true, converter.Convert(binding.Value, binding.Schema, binding.ResourceRoot)),
                _ => converter.Convert(binding.Value, binding.Schema, binding.ResourceRoot),
            };
        }

        // Without a cost model, nested comprehensions are estimated as (largest collection)^depth,
        // the shape of the rules that can hang a server (x.all(a, x.all(b, ...)) over big lists).
        if (comprehensionDepth > 0 && Math.Pow(Math.Max(converter.LargestCollection, 1), comprehensionDepth) > CelBudget.PerCallLimit)
        {
            return new CelOutcome(null, CelCostLimitException.Text, CostExceeded: true);
        }

        var budget = new CelBudget();
        using var scope = budget.Enter();
        try
        {
            var result = program(bound);
            if (budget.Exceeded)
            {
                return new CelOutcome(null, CelCostLimitException.Text, CostExceeded: true);
            }
            if (result is not null && result.GetType().Name == "CelNoSuchField")
            {
                return new CelOutcome(null, NoSuchKey(result.GetType().GetProperty("Message")?.GetValue(result) as string));
            }
            return new CelOutcome(ToValue(result), null);
        }
        catch (Exception) when (budget.Exceeded)
        {
            // However cel-net wrapped it, the evaluation stopped because the budget ran out.
            return new CelOutcome(null, CelCostLimitException.Text, CostExceeded: true);
        }
        catch (Exception e) when (ErrorText(Unwrapped(e)) is { } text)
        {
            // A rule's runtime failure is the rule's outcome (reported as a field error), not ours.
            return new CelOutcome(null, text);
        }
    }

    // cel-net's || and && rethrow an operand's failure wrapped in a no-overload error; cel-go reports the operand's error.
    private static Exception Unwrapped(Exception e)
    {
        while (e is CelNet.CelNoSuchOverloadException { InnerException: { } inner })
        {
            e = inner;
        }
        return e;
    }

    /// <summary>cel-go's text for a failure inside cel-net or our functions; null for anything that is our own bug.</summary>
    private static string? ErrorText(Exception e) => e switch
    {
        CelEvaluationException => e.Message,
        CelNet.CelNoSuchFieldException => NoSuchKey(e.Message),
        // cel-net selects on its missing-field marker when a parent is absent (self.a.b without a); cel-go: no such key: a.
        CelNet.CelTypeDoesNotSupportFieldSelectionException => SelectedParent().Match(e.Message) is { Success: true } m ? "no such key: " + m.Groups[1].Value : "no such key",
        CelNet.CelArgumentRangeException when e.Message.StartsWith("Key", StringComparison.Ordinal) => "no such key",
        CelNet.CelArgumentRangeException when e.Message.StartsWith("Index out", StringComparison.Ordinal) => "index out of bounds",
        CelNet.CelDivideByZeroException => "division by zero",
        CelNet.CelModulusByZeroException => "modulus by zero",
        CelNet.CelOverflowException => "integer overflow",
        CelNet.CelNoSuchOverloadException or CelNet.CelExpressionParserException => "no such overload",
        CelNet.CelException => e.Message,
        // cel-net's own conversions and casts fail with these where cel-go reports a mismatch.
        InvalidCastException or NullReferenceException or FormatException or OverflowException or IndexOutOfRangeException
            or KeyNotFoundException or ArgumentException or InvalidOperationException or NotSupportedException => "no such overload",
        _ => null,
    };

    private static string NoSuchKey(string? message) =>
        message is not null && FieldName().Match(message) is { Success: true } m ? "no such key: " + m.Groups[1].Value : "no such key";

    [GeneratedRegex("field '([^']*)'")]
    private static partial Regex FieldName();

    [GeneratedRegex("Type '(?:[^']*\\.)?([^'.]*)' does not support")]
    private static partial Regex SelectedParent();

    /// <summary>A cel-net value in engine-neutral form.</summary>
    internal static CelValue ToValue(object? raw) => raw switch
    {
        null => CelValue.Null,
        bool b => new(CelValueKind.Bool, b),
        long l => new(CelValueKind.Int, l),
        int i => new(CelValueKind.Int, (long)i),
        ulong u => new(CelValueKind.UInt, u),
        double d => new(CelValueKind.Double, d),
        string s => new(CelValueKind.String, s),
        Google.Protobuf.ByteString bytes => new(CelValueKind.Bytes, bytes.ToByteArray()),
        TimeSpan or Google.Protobuf.WellKnownTypes.Duration => new(CelValueKind.Duration, raw),
        DateTimeOffset or DateTime or Google.Protobuf.WellKnownTypes.Timestamp => new(CelValueKind.Timestamp, raw),
        IDictionary map => new(CelValueKind.Map, ToMap(map)),
        IEnumerable list => new(CelValueKind.List, list.Cast<object?>().Select(ToValue).ToList()),
        _ => new(CelValueKind.Other, raw),
    };

    private static Dictionary<string, CelValue> ToMap(IDictionary map)
    {
        var result = new Dictionary<string, CelValue>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in map)
        {
            result[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = ToValue(entry.Value);
        }
        return result;
    }

    /// <summary>
    /// The variables as cel-net reads them: every identifier lookup is charged to the budget, and
    /// the function namespaces (<c>sets</c>, <c>format</c>, ...) resolve without being bound.
    /// </summary>
    private sealed class CelVariables(int capacity) : IDictionary<string, object?>
    {
        private readonly Dictionary<string, object?> values = new(capacity, StringComparer.Ordinal);

        public object? this[string key]
        {
            get => values[key];
            set => values[key] = value;
        }

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
        {
            CelBudget.Charge();
            if (values.TryGetValue(key, out value))
            {
                return true;
            }
            if (KubernetesLibrary.IsNamespace(key))
            {
                value = new CelNamespace(key);
                return true;
            }
            return false;
        }

        public ICollection<string> Keys => values.Keys;

        public ICollection<object?> Values => values.Values;

        public int Count => values.Count;

        public bool IsReadOnly => false;

        public void Add(string key, object? value) => values.Add(key, value);

        public void Add(KeyValuePair<string, object?> item) => values.Add(item.Key, item.Value);

        public void Clear() => values.Clear();

        public bool Contains(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)values).Contains(item);

        public bool ContainsKey(string key) => values.ContainsKey(key) || KubernetesLibrary.IsNamespace(key);

        public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, object?>>)values).CopyTo(array, arrayIndex);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        public bool Remove(string key) => values.Remove(key);

        public bool Remove(KeyValuePair<string, object?> item) => ((ICollection<KeyValuePair<string, object?>>)values).Remove(item);

        IEnumerator IEnumerable.GetEnumerator() => values.GetEnumerator();
    }
}
