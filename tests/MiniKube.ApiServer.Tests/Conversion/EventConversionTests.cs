using System.Text.Json.Nodes;
using MiniKube.ApiServer.Conversion;

namespace MiniKube.ApiServer.Tests.Conversion;

public sealed class EventConversionTests
{
    [Test]
    public void ToEventsV1_RenamesTheCoreFields_AndToCoreRestoresThem()
    {
        var core = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"e"},"involvedObject":{"kind":"Pod","name":"p"},"reason":"Pulled","message":"done",
            "source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2026-01-01T00:00:01Z","count":2,
            "type":"Normal","reportingComponent":"kubelet","reportingInstance":"n1"}
            """)!.AsObject();

        var events = EventConversion.ToEventsV1(core);

        Assert.That(events.Select(p => p.Key), Is.EqualTo(new[]
        {
            "apiVersion", "kind", "metadata", "regarding", "reason", "note", "deprecatedSource", "deprecatedFirstTimestamp",
            "deprecatedLastTimestamp", "deprecatedCount", "type", "reportingController", "reportingInstance",
        }));
        Assert.That(events["apiVersion"]!.GetValue<string>(), Is.EqualTo("events.k8s.io/v1"));
        Assert.That(JsonNode.DeepEquals(EventConversion.ToCore(events), core));
    }

    [Test]
    public void ToCore_WithoutRegarding_WritesAnEmptyInvolvedObject()
    {
        var core = EventConversion.ToCore(JsonNode.Parse("""{"apiVersion":"events.k8s.io/v1","kind":"Event","note":"n"}""")!.AsObject());

        Assert.That(core.ToJsonString(), Is.EqualTo("""{"apiVersion":"v1","kind":"Event","message":"n","involvedObject":{}}"""));
    }
}
