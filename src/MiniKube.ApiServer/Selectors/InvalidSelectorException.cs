namespace MiniKube.ApiServer.Selectors;

/// <summary>
/// A label or field selector that does not parse or names an unsupported field. The message
/// is the text kube-apiserver puts in its 400 BadRequest Status, so the HTTP layer passes it
/// through unchanged.
/// </summary>
public sealed class InvalidSelectorException : Exception
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
