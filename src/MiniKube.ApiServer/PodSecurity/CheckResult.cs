namespace MiniKube.ApiServer.PodSecurity;

/// <summary>
/// One check's verdict on a pod (pod-security-admission policy/checks.go CheckResult): a short
/// reason always shown ("host ports") and an optional detail naming what was found
/// ("container \"c\" uses hostPort 8080").
/// </summary>
public sealed record CheckResult(bool Allowed, string Reason = "", string Detail = "")
{
    /// <summary>The shared allowed verdict.</summary>
    public static CheckResult Allow { get; } = new(true);

    /// <summary>A refusal with its reason and detail.</summary>
    public static CheckResult Forbid(string reason, string detail = "") => new(false, reason, detail);
}

/// <summary>
/// The refusals of every check run on one pod (policy/checks.go AggregateCheckResult), in the
/// order the checks ran: baseline checks by id, then restricted ones by id.
/// </summary>
public sealed class AggregateResult
{
    // A check that refuses without saying why still shows up (policy/checks.go UnknownForbiddenReason).
    private const string UnknownReason = "unknown forbidden reason";

    private readonly List<CheckResult> forbidden;

    public AggregateResult(IEnumerable<CheckResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        forbidden = [.. results.Where(r => !r.Allowed)];
    }

    /// <summary>True when no check refused.</summary>
    public bool Allowed => forbidden.Count == 0;

    /// <summary>"host ports, privileged": the reasons alone, as namespace-wide warnings list them.</summary>
    public string Reason => string.Join(", ", forbidden.Select(ReasonOf));

    /// <summary>"host ports (container \"c\" uses hostPort 80), privileged (…)": each reason with its detail.</summary>
    public string Detail => string.Join(", ", forbidden.Select(r => r.Detail.Length == 0 ? ReasonOf(r) : $"{ReasonOf(r)} ({r.Detail})"));

    private static string ReasonOf(CheckResult result) => result.Reason.Length == 0 ? UnknownReason : result.Reason;
}
