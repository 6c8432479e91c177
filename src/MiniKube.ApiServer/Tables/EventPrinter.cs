using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// The core/v1 Event row of <c>kubectl get events</c>: LAST SEEN (falling back to the first
/// timestamp, then eventTime, and to the series for repeated events), OBJECT as <c>kind/name</c>
/// in lower case, and the wide source and counts (printEvent in kubernetes
/// pkg/printers/internalversion/printers.go).
/// </summary>
internal static class EventPrinter
{
    public static TablePrinter Printer { get; } = new(
        [
            TableColumn.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            TableColumn.Text("Type", "Type of this event (Normal, Warning)."),
            TableColumn.Text("Reason", "A short, machine understandable string that gives the reason for the event."),
            TableColumn.Text("Object", "The object that this event is about."),
            TableColumn.Text("Subobject", "The part of the object the event is about, e.g. a container.", 1),
            TableColumn.Text("Source", "The component reporting this event.", 1),
            TableColumn.Text("Message", "A human-readable description of the status of this operation."),
            TableColumn.Text("First Seen", "The time at which the event was first recorded.", 1),
            TableColumn.Text("Count", "The number of times this event has occurred.", 1),
            new TableColumn("Name", "string", TableColumn.NameDescription, 1, "name"),
        ],
        Row);

    private static JsonNode?[] Row(JsonObject e, DateTimeOffset now)
    {
        var firstSeen = JsonFields.Time(e, "firstTimestamp") is { } first
            ? HumanDuration.Since(first, now)
            : HumanDuration.Since(JsonFields.Time(e, "eventTime"), now);
        var lastSeen = JsonFields.Time(e, "lastTimestamp") is { } last ? HumanDuration.Since(last, now) : firstSeen;
        long count;
        if (JsonFields.Object(e, "series") is { } series)
        {
            lastSeen = HumanDuration.Since(JsonFields.Time(series, "lastObservedTime"), now);
            count = JsonFields.Integer(series, "count") ?? 0;
        }
        else
        {
            // Singleton events of the new API leave count unset.
            count = JsonFields.Integer(e, "count") is { } c and not 0 ? c : 1;
        }

        var kind = JsonFields.Text(e, "involvedObject", "kind").ToLowerInvariant();
        var target = JsonFields.String(e, "involvedObject", "name") is { Length: > 0 } name ? kind + "/" + name : kind;
        return
        [
            lastSeen,
            JsonFields.Text(e, "type"),
            JsonFields.Text(e, "reason"),
            target,
            JsonFields.Text(e, "involvedObject", "fieldPath"),
            Source(e),
            JsonFields.Text(e, "message").Trim(),
            firstSeen,
            count,
            Cells.Name(e),
        ];
    }

    // "component, host", taking reportingComponent/reportingInstance when source is empty (formatEventSource).
    private static string Source(JsonObject e)
    {
        var component = Cells.OrElse(JsonFields.String(e, "source", "component"), JsonFields.Text(e, "reportingComponent"));
        var instance = Cells.OrElse(JsonFields.String(e, "source", "host"), JsonFields.Text(e, "reportingInstance"));
        return instance.Length == 0 ? component : component + ", " + instance;
    }
}
