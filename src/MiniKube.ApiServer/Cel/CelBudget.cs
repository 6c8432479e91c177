using System.Diagnostics;

namespace MiniKube.ApiServer.Cel;

/// <summary>
/// The guard that keeps one evaluation from holding the server. cel-net has no cost model, so
/// this bounds what we can see: variable reads and calls of our functions are charged one step
/// each (upstream's per-call limit is 1,000,000 cost units, apiserver pkg/apis/cel/config.go
/// PerCallLimit), and wall time is capped. The current budget is per thread because cel-net
/// calls our functions as plain delegates; one evaluation runs on one thread.
/// </summary>
internal sealed class CelBudget
{
    /// <summary>Upstream's per-expression cost limit, used for steps and for the nesting estimate.</summary>
    public const long PerCallLimit = 1_000_000;

    private static readonly long MaxTicks = Stopwatch.Frequency / 2; // 500 ms

    [ThreadStatic]
    private static CelBudget? current;

    private readonly long started = Stopwatch.GetTimestamp();
    private long steps;

    /// <summary>
    /// True once the budget was spent. cel-net's macros and logical operators catch exceptions
    /// (turning them into null or a wrapped overload error), so the outcome is read from here
    /// and not only from the exception.
    /// </summary>
    public bool Exceeded { get; private set; }

    /// <summary>Makes this the budget charged on this thread until the returned scope ends.</summary>
    public Scope Enter()
    {
        var previous = current;
        current = this;
        return new Scope(previous);
    }

    /// <summary>Charges <paramref name="cost"/> steps to the running evaluation; throws once the budget is spent.</summary>
    public static void Charge(long cost = 1)
    {
        var budget = current;
        if (budget is null)
        {
            return;
        }
        var before = budget.steps;
        budget.steps += cost;
        // Reading the clock costs more than a step: look every 1024 steps.
        if (budget.Exceeded || budget.steps > PerCallLimit
            || ((before >> 10) != (budget.steps >> 10) && Stopwatch.GetTimestamp() - budget.started > MaxTicks))
        {
            budget.Exceeded = true;
            throw new CelCostLimitException();
        }
    }

    /// <summary>Restores the previous budget (nested evaluations, e.g. a messageExpression inside a walk).</summary>
    public readonly struct Scope(CelBudget? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }
}
