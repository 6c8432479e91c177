namespace MiniKube.Client.Controllers;

/// <summary>
/// A controller's sync threw something that is not an API error: a bug, which retrying cannot
/// fix. It ends the controller's <see cref="ReconcileLoop{TKey}.RunAsync"/> (and so the
/// controller manager) with the controller, the key and the cause in one message, which the host
/// logs once before it stops with a non-zero exit code (ARCHITECTURE.md §3 rule 7).
/// </summary>
public sealed class ControllerFailedException : Exception
{
    public ControllerFailedException()
    {
    }

    public ControllerFailedException(string message)
        : base(message)
    {
    }

    public ControllerFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ControllerFailedException(string controller, string key, Exception cause)
        : base($"the {controller} controller failed syncing {key}: {cause?.GetType().Name}: {cause?.Message}", cause)
    {
        Controller = controller;
        Key = key;
    }

    /// <summary>The controller whose sync failed.</summary>
    public string Controller { get; } = "";

    /// <summary>The key it was syncing.</summary>
    public string Key { get; } = "";

    /// <summary>This exception, not its cause: its message already names the cause and says where it happened, which is what the host's one line should show.</summary>
    public override Exception GetBaseException() => this;
}
