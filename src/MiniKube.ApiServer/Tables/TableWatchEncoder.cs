using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Renders the events of one watch stream as Tables when the client asked for them
/// (<c>kubectl get -w</c>): each event object becomes a one-row Table, and only the first event
/// carries columnDefinitions. Status objects (ERROR events) pass through unchanged. Mirrors
/// apiserver pkg/endpoints/handlers/watch.go watchEmbeddedEncoder.doEncode, which turns
/// noHeaders on after the first event. One instance per stream; not thread-safe.
/// </summary>
public sealed class TableWatchEncoder
{
    private readonly TablePrinter _printer;
    private TableOptions _options;

    public TableWatchEncoder(ResourceType type, TableOptions options)
        : this(TablePrinters.For(type ?? throw new ArgumentNullException(nameof(type))), options)
    {
    }

    /// <summary>A stream printed by <paramref name="printer"/> (custom resources: <c>CustomResourcePrinters.For</c>).</summary>
    internal TableWatchEncoder(TablePrinter printer, TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(printer);
        ArgumentNullException.ThrowIfNull(options);
        _printer = printer;
        _options = options;
    }

    /// <summary>The watch event <c>{"type":…,"object":…}</c> with the object rendered as a Table.</summary>
    public JsonObject Encode(string eventType, JsonObject obj, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(obj);
        JsonNode rendered = (string?)obj["kind"] == "Status" ? obj.DeepClone() : TableBuilder.BuildObjectTable(_printer, obj, _options, now);
        // Headers go out once, whatever the first event was.
        _options = _options with { NoHeaders = true };
        return new JsonObject { ["type"] = eventType, ["object"] = rendered };
    }
}
