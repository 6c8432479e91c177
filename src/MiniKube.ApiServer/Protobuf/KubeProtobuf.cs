
namespace MiniKube.ApiServer.Protobuf;

/// <summary>
/// Turns a Kubernetes protobuf request body (<c>application/vnd.kubernetes.protobuf</c>) into the
/// JSON object the same request would have carried as <c>application/json</c>, so the rest of
/// the server only ever sees JSON. kubectl ≥1.32 and client-go ≥1.32 typed clients send
/// protobuf for create/update of built-in kinds and never fall back to JSON (API-GUIDE §0.1).
/// Decoding only: replies stay JSON, which every such client accepts.
/// </summary>
public static class KubeProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    // Protobuf nesting is capped separately; embedded raw JSON adds its own depth on top.
    private static readonly JsonDocumentOptions ReparseOptions = new() { MaxDepth = 256 };

    /// <summary>True when a Content-Type header names Kubernetes protobuf (parameters ignored).</summary>
    public static bool IsProtobuf(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Decodes a whole body, magic included. The result has <c>apiVersion</c> and <c>kind</c>
    /// from the envelope, then the object's fields as encoding/json would write them.
    /// </summary>
    /// <exception cref="UnsupportedProtobufKindException">The kind has no field table: answer 415.</exception>
    /// <exception cref="KubeProtobufException">The body is not valid Kubernetes protobuf: answer 400.</exception>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        var envelope = ProtobufEnvelope.Read(body);
        var model = ProtobufKinds.Find(envelope.ApiVersion, envelope.Kind)
            ?? throw new UnsupportedProtobufKindException(envelope.ApiVersion, envelope.Kind);
        if (FieldTables.ForModel(model) is null)
        {
            throw new UnsupportedProtobufKindException(envelope.ApiVersion, envelope.Kind);
        }
        var result = new JsonObject
        {
            ["apiVersion"] = envelope.ApiVersion,
            ["kind"] = envelope.Kind,
        };
        MessageTranscoder.ReadInto(envelope.Raw.Array!, envelope.Raw.Offset, envelope.Raw.Count, model, result);
        // Re-parse so every value is backed by a JsonElement exactly like a parsed JSON body:
        // a value built from a long refuses GetValue<int>(), one parsed from text does not.
        return JsonNode.Parse(result.ToJsonString(), documentOptions: ReparseOptions)!.AsObject();
    }
}
