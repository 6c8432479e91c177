namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// Runs the checks of a level at a version on a pod (pod-security-admission policy/registry.go):
/// the checks of every version v1.0 up to the newest a check names are laid out once, so an
/// evaluation is a lookup and the checks' runs. Latest, and versions newer than any check, use
/// the newest layout. Immutable and thread-safe.
/// </summary>
public sealed class PodSecurityEvaluator
{
    private readonly Func<PodSpecView, CheckResult>[][] baseline;
    private readonly Func<PodSpecView, CheckResult>[][] restricted;

    public PodSecurityEvaluator(IReadOnlyList<PodSecurityCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var newest = checks.Max(c => c.Versions[^1].MinimumMinor);
        // Baseline ids in order, then restricted ids: messages list refusals in this order.
        var order = checks.Where(c => c.Level == PodSecurityLevel.Baseline).Select(c => c.Id).Order(StringComparer.Ordinal)
            .Concat(checks.Where(c => c.Level == PodSecurityLevel.Restricted).Select(c => c.Id).Order(StringComparer.Ordinal))
            .ToList();
        baseline = new Func<PodSpecView, CheckResult>[newest + 1][];
        restricted = new Func<PodSpecView, CheckResult>[newest + 1][];
        for (var minor = 0; minor <= newest; minor++)
        {
            var current = checks
                .Select(c => (c.Id, c.Level, Revision: c.Versions.LastOrDefault(v => v.MinimumMinor <= minor)))
                .Where(c => c.Revision is not null)
                .ToDictionary(c => c.Id, StringComparer.Ordinal);
            var overridden = current.Values.Where(c => c.Level == PodSecurityLevel.Restricted)
                .SelectMany(c => c.Revision!.Overrides ?? []).ToHashSet(StringComparer.Ordinal);
            baseline[minor] = [.. order.Where(id => current.TryGetValue(id, out var c) && c.Level == PodSecurityLevel.Baseline).Select(id => current[id].Revision!.Check)];
            restricted[minor] = [.. order.Where(id => current.ContainsKey(id) && !overridden.Contains(id)).Select(id => current[id].Revision!.Check)];
        }
        NewestMinor = newest;
    }

    /// <summary>The evaluator over all of v1.32's checks.</summary>
    public static PodSecurityEvaluator Default { get; } = new(PodSecurityCheck.All);

    /// <summary>The newest policy version a check knows (32): what latest means.</summary>
    public int NewestMinor { get; }

    /// <summary>Every check's verdict on <paramref name="pod"/> at <paramref name="policy"/>; none for privileged.</summary>
    public IEnumerable<CheckResult> Evaluate(LevelVersion policy, PodSpecView pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (policy.Level == PodSecurityLevel.Privileged)
        {
            return [];
        }
        var minor = policy.Version.IsLatest || policy.Version.Minor > NewestMinor ? NewestMinor : policy.Version.Minor;
        var checks = policy.Level == PodSecurityLevel.Baseline ? baseline[minor] : restricted[minor];
        return checks.Select(check => check(pod));
    }

    /// <summary>The refusals of <see cref="Evaluate"/>, aggregated for a message.</summary>
    public AggregateResult Check(LevelVersion policy, PodSpecView pod) => new(Evaluate(policy, pod));
}
