namespace MiniKube.Cli;

/// <summary>
/// A mistake in how mkube was invoked (flag, environment or config file). It is reported as
/// one line plus usage, with exit code 2, never as a stack trace.
/// </summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
