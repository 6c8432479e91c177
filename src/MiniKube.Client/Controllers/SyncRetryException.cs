namespace MiniKube.Client.Controllers;

/// <summary>
/// Thrown by a sync that failed for a reason a later try may fix and that it has already
/// reported where users look (an event, a status condition), such as a pod create the API
/// refused: the loop treats it like an API error (one log line, the key back rate-limited),
/// as upstream's handleErr does with any error a sync returns.
/// </summary>
public sealed class SyncRetryException : Exception
{
    public SyncRetryException()
    {
    }

    public SyncRetryException(string message)
        : base(message)
    {
    }

    public SyncRetryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
