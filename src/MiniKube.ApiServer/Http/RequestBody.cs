using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
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

    public static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
    }

    /// <summary>The media type without parameters, lower-cased ("" when absent).</summary>
    public static string MediaType(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    /// <summary>A whole object (POST, PUT, subresource POSTs) as JSON.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        var media = MediaType(context);
        if (media is not ("application/json" or "" or "application/yaml" or "application/vnd.kubernetes.protobuf"))
        {
            throw ApiException.UnsupportedMediaType(media, ObjectMediaTypes);
        }
        var bytes = await ReadBytesAsync(context);
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

    public static JsonObject ParseYaml(ReadOnlySpan<byte> bytes) =>
        YamlJson.Parse(Encoding.UTF8.GetString(bytes)) as JsonObject
            ?? throw ApiException.BadRequest("error converting YAML to JSON: the body is not a mapping");

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
