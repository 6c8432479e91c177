using System.Runtime.InteropServices;
using Google.Protobuf;

namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// The wrapper around every Kubernetes protobuf body: the magic "k8s\0", then a runtime.Unknown
/// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType} whose raw
/// bytes are the object itself (apimachinery pkg/runtime/serializer/protobuf/protobuf.go).
/// </summary>
/// <param name="ApiVersion">From typeMeta, e.g. apps/v1.</param>
/// <param name="Kind">From typeMeta, e.g. Deployment.</param>
/// <param name="Raw">The encoded object; an array segment of a buffer owned by this envelope.</param>
internal sealed record ProtobufEnvelope(string ApiVersion, string Kind, ArraySegment<byte> Raw)
{
    /// <summary>"k8s\0", the prefix of every body (protobuf.go protoEncodingPrefix).</summary>
    public static ReadOnlySpan<byte> Magic => [0x6b, 0x38, 0x73, 0x00];

    /// <exception cref="KubeProtobufException">No magic, not a runtime.Unknown, or no kind or version.</exception>
    public static ProtobufEnvelope Read(ReadOnlySpan<byte> body)
    {
        // The wording follows protobuf.go's Decode errors.
        if (body.IsEmpty)
        {
            throw new KubeProtobufException("empty data");
        }
        if (!body.StartsWith(Magic))
        {
            throw new KubeProtobufException("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }
        if (body.Length == Magic.Length)
        {
            throw new KubeProtobufException("empty body");
        }
        var apiVersion = "";
        var kind = "";
        var raw = ByteString.Empty;
        var contentEncoding = "";
        try
        {
            var input = new CodedInputStream(body[Magic.Length..].ToArray());
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (tag)
                {
                    case 1 << 3 | 2:
                        (apiVersion, kind) = ReadTypeMeta(input.ReadBytes());
                        break;
                    case 2 << 3 | 2:
                        raw = input.ReadBytes();
                        break;
                    case 3 << 3 | 2:
                        contentEncoding = input.ReadString();
                        break;
                    default:
                        // contentType (4) and anything newer: the upstream decoder ignores them too.
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KubeProtobufException($"the body of the request was not valid {KubeProtobuf.MediaType}: {e.Message}", e);
        }
        if (kind.Length == 0)
        {
            throw new KubeProtobufException("Object 'Kind' is missing in the protobuf envelope");
        }
        if (apiVersion.Length == 0)
        {
            throw new KubeProtobufException("Object 'apiVersion' is missing in the protobuf envelope");
        }
        if (contentEncoding.Length != 0)
        {
            throw new KubeProtobufException($"protobuf content encoding \"{contentEncoding}\" is not supported");
        }
        // ByteString wraps a private copy, so handing out its array is safe.
        return MemoryMarshal.TryGetArray(raw.Memory, out var segment)
            ? new ProtobufEnvelope(apiVersion, kind, segment)
            : new ProtobufEnvelope(apiVersion, kind, raw.ToByteArray());
    }

    private static (string ApiVersion, string Kind) ReadTypeMeta(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        var apiVersion = "";
        var kind = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (tag)
            {
                case 1 << 3 | 2:
                    apiVersion = input.ReadString();
                    break;
                case 2 << 3 | 2:
                    kind = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return (apiVersion, kind);
    }
}
