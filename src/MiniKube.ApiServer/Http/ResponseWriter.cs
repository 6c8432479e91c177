using System.Buffers;
using System.IO.Pipelines;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Http;

/// <summary>Writes JSON answers: single objects, lists spliced from stored bytes, and Status.</summary>
internal static class ResponseWriter
{
    public static async Task WriteObjectAsync(HttpContext context, int code, JsonNode obj)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        var writer = context.Response.BodyWriter;
        using (var json = new Utf8JsonWriter(writer, new JsonWriterOptions { Encoder = ObjectCodec.Compact.Encoder }))
        {
            obj.WriteTo(json);
        }
        writer.Write("\n"u8);
        await writer.FlushAsync(context.RequestAborted);
    }

    public static async Task WriteStoredAsync(HttpContext context, KeyValue kv)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var writer = context.Response.BodyWriter;
        ObjectCodec.WriteWithVersion(writer, kv.Value, kv.ModRevision);
        writer.Write("\n"u8);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>A typed list (PodList…) written straight from stored bytes; empty lists carry "items":[].</summary>
    public static async Task WriteListAsync(HttpContext context, ResourceType type, ListPage page)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        PipeWriter writer = context.Response.BodyWriter;
        Write(writer, $"{{\"kind\":\"{type.ListKind}\",\"apiVersion\":\"{type.GroupVersion}\",\"metadata\":{{\"resourceVersion\":\"{page.Revision.ToString(CultureInfo.InvariantCulture)}\"");
        if (page.Continue is { } token)
        {
            Write(writer, $",\"continue\":\"{token}\"");
        }
        writer.Write("},\"items\":["u8);
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }
            ObjectCodec.WriteWithVersion(writer, page.Items[i].Value, page.Items[i].ModRevision);
            if (writer.UnflushedBytes > 64 * 1024)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }
        writer.Write("]}\n"u8);
        await writer.FlushAsync(context.RequestAborted);
    }

    public static void Write(IBufferWriter<byte> writer, string text) => System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, text.AsSpan(), writer);
}
