using System.Text.Json.Nodes;
using MiniKube.Api;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tests.Selectors;

public class FieldSelectorTests
{
    private static ResourceType Type(string group, string name) => ResourceCatalog.All.Single(r => r.Group == group && r.Name == name);

    private static ResourceType Pods => Type("", "pods");

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static readonly JsonObject ScheduledPod = Obj("""
        {"metadata":{"name":"web-1","namespace":"default"},
         "spec":{"nodeName":"node1","restartPolicy":"Always","hostNetwork":true},
         "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}]}}
        """);

    private static readonly JsonObject PendingPod = Obj("""{"metadata":{"name":"web-2","namespace":"default"},"status":{"phase":"Pending"}}""");

    [Test]
    public void Parse_Empty_MatchesEverything()
    {
        var selector = FieldSelector.Parse("", Pods);

        Assert.That(selector.IsEverything, Is.True);
        Assert.That(selector.Matches(PendingPod), Is.True);
        Assert.That(FieldSelector.Parse(null, Pods).IsEverything, Is.True);
    }

    [TestCase("metadata.name=web-1", true, false)]
    [TestCase("metadata.name==web-1", true, false)]
    [TestCase("metadata.name!=web-1", false, true)]
    [TestCase("metadata.namespace=default", true, true)]
    [TestCase("spec.nodeName=", false, true)]
    [TestCase("spec.nodeName=node1", true, false)]
    [TestCase("spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed", false, true)]
    [TestCase("status.phase=Running", true, false)]
    [TestCase("status.podIP=10.0.0.5", true, false)]
    [TestCase("spec.hostNetwork=true", true, false)]
    [TestCase("spec.hostNetwork=false", false, true)]
    [TestCase("spec.host=node1", true, false)]
    [TestCase("status.podIPs=", true, true)]
    public void Matches_PodFields_ReadFromTheObject(string selector, bool scheduled, bool pending)
    {
        var parsed = FieldSelector.Parse(selector, Pods);

        Assert.That(parsed.Matches(ScheduledPod), Is.EqualTo(scheduled));
        Assert.That(parsed.Matches(PendingPod), Is.EqualTo(pending));
    }

    [Test]
    public void Matches_NodeUnschedulable_ReadsAsBooleanText()
    {
        var nodes = Type("", "nodes");
        var cordoned = Obj("""{"metadata":{"name":"n1"},"spec":{"unschedulable":true}}""");
        var plain = Obj("""{"metadata":{"name":"n2"},"spec":{}}""");

        Assert.That(FieldSelector.Parse("spec.unschedulable=true", nodes).Matches(cordoned), Is.True);
        Assert.That(FieldSelector.Parse("spec.unschedulable=false", nodes).Matches(plain), Is.True);
        Assert.That(FieldSelector.Parse("spec.unschedulable=false", nodes).Matches(cordoned), Is.False);
    }

    [Test]
    public void Matches_EventFields_IncludeInvolvedObjectAndSourceFallback()
    {
        var events = Type("", "events");
        var e = Obj("""
            {"metadata":{"name":"e1","namespace":"default"},
             "involvedObject":{"kind":"Pod","name":"nginx","namespace":"default","uid":"u1"},
             "reason":"Scheduled","type":"Normal","reportingComponent":"default-scheduler"}
            """);

        Assert.That(FieldSelector.Parse("involvedObject.kind=Pod,involvedObject.name=nginx,involvedObject.uid=u1", events).Matches(e), Is.True);
        Assert.That(FieldSelector.Parse("source=default-scheduler", events).Matches(e), Is.True);
        Assert.That(FieldSelector.Parse("type=Warning", events).Matches(e), Is.False);
        Assert.That(FieldSelector.Parse("reason=Scheduled,reportingComponent=default-scheduler", events).Matches(e), Is.True);
    }

    [Test]
    public void Matches_SecretTypeServiceTypeAndRcReplicas()
    {
        Assert.That(FieldSelector.Parse("type=Opaque", Type("", "secrets")).Matches(Obj("""{"metadata":{"name":"s"},"type":"Opaque"}""")), Is.True);
        Assert.That(FieldSelector.Parse("spec.type=NodePort", Type("", "services")).Matches(Obj("""{"spec":{"type":"NodePort"}}""")), Is.True);
        Assert.That(FieldSelector.Parse("status.replicas=0", Type("", "replicationcontrollers")).Matches(Obj("""{"status":{}}""")), Is.True);
        Assert.That(FieldSelector.Parse("status.successful=2", Type("batch", "jobs")).Matches(Obj("""{"status":{"succeeded":2}}""")), Is.True);
        Assert.That(FieldSelector.Parse("status.phase=Active", Type("", "namespaces")).Matches(Obj("""{"status":{"phase":"Active"}}""")), Is.True);
    }

    [Test]
    public void Parse_EscapedValues_AreUnescaped()
    {
        var selector = FieldSelector.Parse(@"metadata.name=a\,b\=c\\d", Pods);

        Assert.That(selector.Requirements.Single().Value, Is.EqualTo(@"a,b=c\d"));
        Assert.That(selector.Matches(Obj("""{"metadata":{"name":"a,b=c\\d"}}""")), Is.True);
        Assert.That(selector.ToString(), Is.EqualTo(@"metadata.name=a\,b\=c\\d"));
    }

    [TestCase("spec.foo=bar", "pods", "", "field label not supported: spec.foo")]
    [TestCase("metadata.namespace=x", "nodes", "", "field label not supported: metadata.namespace")]
    [TestCase("spec.replicas=1", "deployments", "apps", "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [TestCase("status.active=1", "jobs", "batch", "field label \"status.active\" not supported for batchv1.Job")]
    [TestCase("metadata.name", "pods", "", "invalid selector: 'metadata.name'; can't understand 'metadata.name'")]
    [TestCase(@"metadata.name=a\b", "pods", "", @"invalid field selector: invalid escape sequence: \b")]
    [TestCase("metadata.name=a=b", "pods", "", "invalid field selector: unescaped character in value: 61")]
    [TestCase(@"metadata.name=a\", "pods", "", @"invalid field selector: invalid escape sequence: \")]
    public void Parse_Invalid_ThrowsWithUpstreamMessage(string selector, string resource, string group, string message)
    {
        var error = Assert.Throws<InvalidSelectorException>(() => FieldSelector.Parse(selector, Type(group, resource)));

        Assert.That(error!.Message, Is.EqualTo(message));
    }

    [Test]
    public void Parse_SortsTermsAndNormalisesDoubleEquals()
    {
        var selector = FieldSelector.Parse("status.phase!=Failed,metadata.name==x", Pods);

        Assert.That(selector.ToString(), Is.EqualTo("metadata.name=x,status.phase!=Failed"));
    }

    [Test]
    public void TryGetRequiredValue_FindsEqualityTermsOnly()
    {
        var selector = FieldSelector.Parse("metadata.name=nginx,status.phase!=Failed", Pods);

        Assert.That(selector.TryGetRequiredValue("metadata.name", out var name), Is.True);
        Assert.That(name, Is.EqualTo("nginx"));
        Assert.That(selector.TryGetRequiredValue("status.phase", out _), Is.False);
    }
}
