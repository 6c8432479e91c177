using System.Buffers;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Tables;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Server-side printing: when the Accept header asks for a meta.k8s.io Table (human-readable
/// kubectl get), lists, single objects and watch events are rendered as Tables; everything
/// else gets the objects themselves.
/// </summary>
internal static class Presentation
{
    public static bool WantsTable(HttpContext context) => AcceptHeader.TableVersion(context.Request.Headers.Accept.ToString()) is not null;

    public static Task WriteTableAsync(HttpContext context, ResourceType type, IReadOnlyList<KeyValue> items, ListPage page, bool single = false) =>
        WriteTableAsync(context, type, items.Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision)).ToList(), page.Revision, page.Continue, single);

    public static async Task WriteTableAsync(HttpContext context, ResourceType type, IReadOnlyList<JsonObject> objects, long revision, string? continueToken, bool single)
    {
        var options = Options(context);
        var now = DateTimeOffset.UtcNow;
        // Printers read the stored form, as upstream's print the internal one, whatever version was asked for.
        objects = type.StoredAs is null ? objects : objects.Select(type.ToStorage).ToList();
        var table = single
            ? TableBuilder.BuildObjectTable(type, objects[0], options, now)
            : TableBuilder.BuildTable(type, objects, options, now, new TableListMetadata(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), continueToken));
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, table);
    }

    public static IWatchEncoder WatchEncoder(HttpContext context, ResourceType type) =>
        WantsTable(context) ? new TableEventEncoder(type, new TableWatchEncoder(type, Options(context)))
        : type.StoredAs is null ? ObjectWatchEncoder.Instance
        : new ConvertingWatchEncoder(type);

    private static TableOptions Options(HttpContext context)
    {
        try
        {
            return TableOptions.FromQuery(
                ListOptions.Value(context.Request.Query, "includeObject"),
                ListOptions.Value(context.Request.Query, "noHeaders"),
                AcceptHeader.TableVersion(context.Request.Headers.Accept.ToString()) ?? "v1");
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    /// <summary>Each watch event's object as a one-row Table, column definitions only in the first.</summary>
    private sealed class TableEventEncoder(ResourceType type, TableWatchEncoder tables) : IWatchEncoder
    {
        public void WriteObject(IBufferWriter<byte> writer, byte[] stored, long revision)
        {
            var ev = tables.Encode("MODIFIED", type.ToStorage(ObjectCodec.Decode(stored, revision)), DateTimeOffset.UtcNow);
            ResponseWriter.Write(writer, ev["object"]!.ToJsonString(ObjectCodec.Compact));
        }
    }

    /// <summary>Watch events of a form served over another one's stored objects: each object converted to the watched form.</summary>
    private sealed class ConvertingWatchEncoder(ResourceType type) : IWatchEncoder
    {
        public void WriteObject(IBufferWriter<byte> writer, byte[] stored, long revision) =>
            ObjectCodec.WriteWithVersion(writer, ObjectCodec.Encode(type.FromStorage(ObjectCodec.Decode(stored, revision))), revision);
    }
}
