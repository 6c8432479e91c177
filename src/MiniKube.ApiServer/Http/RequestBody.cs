using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Patching;
using MiniKube.ApiServer.Protobuf;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Reads request bodies: at most 3 MiB (kube-apiserver's limit; more is 413), JSON or YAML or
/// Kubernetes protobuf by Content-Type, nesting bounded so a hostile body cannot exhaust the stack.
/// </summary>
internal static class RequestBody
{
    public const int MaxBytes = 3 * 1024 * 1024;

    public const int MaxDepth = 100;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = MaxDepth };

    public static readonly string[] ObjectMediaTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

    /// <summary>
    /// The raw body, at most <see cref="MaxBytes"/>. Every text body (JSON, YAML and each patch
    /// type) must be UTF-8: System.Text.Json reads string contents lazily, so a bad byte sequence
    /// would otherwise surface deep in a handler as an InvalidOperationException (a 500). Protobuf
    /// bodies are binary and checked by their decoder.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }
        byte[] bytes;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > MaxBytes)
            {
                // A chunked body carries no Content-Length to refuse up front.
                throw TooLarge();
            }
            bytes = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        if (MediaType(context) != "application/vnd.kubernetes.protobuf" && !Utf8.IsValid(bytes))
        {
            throw ApiException.BadRequest(InvalidUtf8Message(bytes));
        }
        return bytes;
    }

    private static string InvalidUtf8Message(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length && Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }
        return string.Create(CultureInfo.InvariantCulture, $"the request body is not valid UTF-8: invalid byte sequence at offset {offset}");
    }

    /// <summary>The media type without parameters, lower-cased ("" when absent).</summary>
    public static string MediaType(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    /// <summary>A whole object (POST, PUT, subresource POSTs) as JSON.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context) => ParseObject(MediaType(context), await ReadBytesAsync(context));

    /// <summary>An optional body (DELETE's DeleteOptions): null when empty.</summary>
    public static async Task<JsonObject?> ReadOptionalObjectAsync(HttpContext context)
    {
        var bytes = await ReadBytesAsync(context);
        return bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty ? null : ParseObject(MediaType(context), bytes);
    }

    private static JsonObject ParseObject(string media, byte[] bytes)
    {
        if (media is not ("application/json" or "" or "application/yaml" or "application/vnd.kubernetes.protobuf"))
        {
            throw ApiException.UnsupportedMediaType(media, ObjectMediaTypes);
        }
        return media switch
        {
            "application/yaml" => ParseYaml(bytes),
            "application/vnd.kubernetes.protobuf" => ParseProtobuf(bytes),
            _ => ParseJson(bytes),
        };
    }

    public static JsonObject ParseJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonNode.Parse(bytes, documentOptions: JsonOptions) as JsonObject
                ?? throw ApiException.BadRequest("Object 'Kind' is missing in the request body: not a JSON object");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>kubectl ≥1.32 and client-go send built-in kinds as Kubernetes protobuf; we answer in JSON.</summary>
    public static JsonObject ParseProtobuf(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return KubeProtobuf.Decode(bytes);
        }
        catch (UnsupportedProtobufKindException e)
        {
            throw ApiException.UnsupportedMediaType(e.Message, ["application/json", "application/yaml"]);
        }
        catch (KubeProtobufException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    /// <summary>YAML through the event-based converter, which refuses aliases and deep nesting before building anything.</summary>
    public static JsonObject ParseYaml(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return YamlToJson.Convert(bytes, MaxDepth) as JsonObject
                ?? throw ApiException.BadRequest("error converting YAML to JSON: the body is not a mapping");
        }
        catch (PatchException e)
        {
            throw new ApiException(e.StatusCode, e.Reason, e.Message.Replace("error decoding patch", "error converting YAML to JSON", StringComparison.Ordinal));
        }
    }

    /// <summary>An apply patch is YAML, of which kubectl sends the JSON subset.</summary>
    public static JsonObject ParseJsonOrYaml(ReadOnlySpan<byte> bytes)
    {
        var trimmed = bytes.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{' ? ParseJson(bytes) : ParseYaml(bytes);
    }

    private static ApiException TooLarge() => ApiException.TooLarge($"Request entity too large: limit is {MaxBytes}");

    /// <summary>Lets watches and log follows stream past Kestrel's minimum-rate checks.</summary>
    public static void DisableBodyLimits(HttpContext context)
    {
        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }
}
