namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// A request body that claims to be Kubernetes protobuf but cannot be read: wrong magic,
/// truncated, nested too deep, or a field whose wire type contradicts its schema. The message
/// is written for the client; the caller answers 400 BadRequest with it.
/// </summary>
public class KubeProtobufException : Exception
{
    public KubeProtobufException()
    {
    }

    public KubeProtobufException(string message)
        : base(message)
    {
    }

    public KubeProtobufException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A well-formed protobuf envelope carrying a kind this server has no field table for. The
/// caller answers 415 UnsupportedMediaType, which tells the client to send JSON instead.
/// </summary>
public sealed class UnsupportedProtobufKindException : KubeProtobufException
{
    public UnsupportedProtobufKindException()
    {
    }

    public UnsupportedProtobufKindException(string message)
        : base(message)
    {
    }

    public UnsupportedProtobufKindException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnsupportedProtobufKindException(string apiVersion, string kind)
        : base($"the server cannot decode {kind} ({apiVersion}) from {KubeProtobuf.MediaType}; send it as application/json")
    {
        ApiVersion = apiVersion;
        Kind = kind;
    }

    public string ApiVersion { get; } = "";

    public string Kind { get; } = "";
}
