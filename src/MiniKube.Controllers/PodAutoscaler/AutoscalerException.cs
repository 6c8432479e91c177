namespace MiniKube.Controllers.PodAutoscaler;

/// <summary>
/// A step of one autoscaler sync that could not be done (metrics missing, a selector that does
/// not parse, a target without a scale): its message is upstream's error text, which ends up in
/// events and conditions, wrapped by each caller as horizontal.go wraps it.
/// </summary>
public sealed class AutoscalerException : Exception
{
    public AutoscalerException()
    {
    }

    public AutoscalerException(string message)
        : base(message)
    {
    }

    public AutoscalerException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
