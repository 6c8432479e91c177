namespace MiniKube.Api;

/// <summary>
/// A label or field selector that does not parse or is not valid. The message is the text
/// kube-apiserver puts in its 400 BadRequest Status (apimachinery's parse and NewRequirement
/// errors), so the API server passes it through unchanged and controllers can put it in an event.
/// It is an <see cref="ArgumentException"/> because the selector came in as an argument; the
/// message carries no parameter suffix.
/// </summary>
public sealed class InvalidSelectorException : ArgumentException
{
    public InvalidSelectorException()
    {
    }

    public InvalidSelectorException(string message)
        : base(message)
    {
    }

    public InvalidSelectorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
