using System.Collections;
using CelNet = global::Cel;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// Kubernetes' list functions (apiserver pkg/cel/library/lists.go): isSorted, sum, min, max,
/// indexOf, lastIndexOf; and the sets library (sets.go): sets.contains, sets.equivalent,
/// sets.intersects. Comparison and equality are CEL's (<see cref="CelCompare"/>, <see cref="CelEquals"/>).
/// </summary>
internal static partial class KubernetesLibrary
{
    private static void RegisterLists(CelNet.CelEnvironment env)
    {
        Type[] l = [typeof(IList)], lo = [typeof(IList), typeof(object)];
        Add(env, "isSorted", l, a =>
        {
            var list = Charged(a[0]);
            for (var i = 1; i < list.Count; i++)
            {
                if (CelCompare(list[i - 1], list[i]) > 0)
                {
                    return false;
                }
            }
            return true;
        });
        Add(env, "sum", l, a => Sum(Charged(a[0])));
        Add(env, "min", l, a => Extreme(Charged(a[0]), -1, "min"));
        Add(env, "max", l, a => Extreme(Charged(a[0]), 1, "max"));
        Add(env, "indexOf", lo, a =>
        {
            var list = Charged(a[0]);
            for (var i = 0; i < list.Count; i++)
            {
                if (CelEquals(list[i], a[1]))
                {
                    return (long)i;
                }
            }
            return -1L;
        });
        Add(env, "lastIndexOf", lo, a =>
        {
            var list = Charged(a[0]);
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (CelEquals(list[i], a[1]))
                {
                    return (long)i;
                }
            }
            return -1L;
        });
    }

    private static void RegisterSets(CelNet.CelEnvironment env)
    {
        Type[] ll = [typeof(IList), typeof(IList)];
        AddNamespaced(env, "sets", "contains", ll, a => ContainsAll(Charged(a[0]), Charged(a[1])));
        AddNamespaced(env, "sets", "equivalent", ll, a => ContainsAll(Charged(a[0]), Charged(a[1])) && ContainsAll(List(a[1]), List(a[0])));
        AddNamespaced(env, "sets", "intersects", ll, a => Charged(a[1]).Cast<object?>().Any(b => Charged(a[0]).Cast<object?>().Any(x => CelEquals(x, b))));
    }

    private static IList Charged(object? value)
    {
        var list = List(value);
        CelBudget.Charge(list.Count);
        return list;
    }

    private static bool ContainsAll(IList set, IList subset)
    {
        CelBudget.Charge((long)set.Count * subset.Count / 8);
        return subset.Cast<object?>().All(b => set.Cast<object?>().Any(x => CelEquals(x, b)));
    }

    // An empty list sums to 0 (cel-go cannot know the element type; Kubernetes returns int 0 for an untyped list).
    private static object? Sum(IList list)
    {
        if (list.Count == 0)
        {
            return 0L;
        }
        switch (list[0])
        {
            case long or int:
                var total = 0L;
                foreach (var item in list)
                {
                    try
                    {
                        total = checked(total + Int(item));
                    }
                    catch (OverflowException)
                    {
                        throw new CelEvaluationException("integer overflow");
                    }
                }
                return total;
            case double:
                return list.Cast<object?>().Sum(v => v is double or long ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : throw new CelEvaluationException("no such overload"));
            case ulong:
                return list.Cast<object?>().Aggregate(0UL, (t, v) => checked(t + (v as ulong? ?? throw new CelEvaluationException("no such overload"))));
            case TimeSpan:
                return list.Cast<object?>().Aggregate(TimeSpan.Zero, (t, v) => t + (v as TimeSpan? ?? throw new CelEvaluationException("no such overload")));
            default:
                throw new CelEvaluationException("no such overload");
        }
    }

    private static object? Extreme(IList list, int sign, string name)
    {
        if (list.Count == 0)
        {
            throw new CelEvaluationException($"{name} called on empty list");
        }
        var best = list[0];
        for (var i = 1; i < list.Count; i++)
        {
            if (CelCompare(list[i], best) * sign > 0)
            {
                best = list[i];
            }
        }
        return best;
    }
}
