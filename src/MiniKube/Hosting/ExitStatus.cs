namespace MiniKube.Hosting;

/// <summary>
/// The process's exit code as decided by the host: 0 unless a component failed. Kept apart
/// from <see cref="Environment.ExitCode"/> so that tests can run several hosts in one process.
/// </summary>
public sealed class ExitStatus
{
    private int _code;

    public int Code => Volatile.Read(ref _code);

    /// <summary>Records a failure; the first non-zero code wins.</summary>
    public void Fail(int code = 1) => Interlocked.CompareExchange(ref _code, code, 0);
}
