using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Tests.Strategies;

public sealed class ResourceStrategyTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void Catalog_EveryKind_OwnsStatusExactlyWhenItServesStatus()
    {
        foreach (var type in ResourceCatalog.All)
        {
            var strategy = (ResourceStrategy)type.Strategy;
            Assert.That(strategy.OwnsStatus, Is.EqualTo(type.HasStatus), type.QualifiedName);
            // NetworkPolicy counts spec changes without a status (pkg/registry/networking/networkpolicy/strategy.go), and so do
            // webhook configurations, for their webhooks (pkg/registry/admissionregistration/*/strategy.go); a PriorityClass starts
            // at generation 1 and has no spec to count (pkg/registry/scheduling/priorityclass/strategy.go).
            Assert.That(!strategy.TracksGeneration || type.HasStatus || type.Kind is "NetworkPolicy" or "PriorityClass" or "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration" or "ValidatingAdmissionPolicyBinding", type.QualifiedName);
        }
    }

    [Test]
    public void PrepareForUpdate_KindWithStatus_KeepsStoredStatus()
    {
        var strategy = ResourceCatalog.FindKind("apps", "Deployment")!.Strategy;
        var updated = Parse("""{"spec":{"replicas":2},"status":{"replicas":9}}""");

        strategy.PrepareForUpdate(updated, Parse("""{"spec":{"replicas":1},"status":{"replicas":1}}"""));

        Assert.That(updated.ToJsonString(), Is.EqualTo("""{"spec":{"replicas":2},"status":{"replicas":1}}"""));
    }

    [Test]
    public void PrepareForStatusUpdate_AnyKind_ChangesOnlyStatus()
    {
        var updated = Parse("""{"spec":{"replicas":2},"status":{"replicas":9}}""");

        ResourceStrategy.Plain.PrepareForStatusUpdate(updated, Parse("""{"spec":{"replicas":1},"status":{"replicas":1}}"""));

        Assert.That(updated.ToJsonString(), Is.EqualTo("""{"spec":{"replicas":1},"status":{"replicas":9}}"""));
    }

    [TestCase(null, null, null, 0)]
    [TestCase("node-1", "Succeeded", null, 0)]
    [TestCase("node-1", "Running", null, 30)]
    [TestCase("node-1", "Running", 5L, 5)]
    [TestCase("node-1", "Running", -3L, 0)]
    public void GracePeriodSeconds_Pod_WaitsOnlyWhileAKubeletRunsIt(string? node, string? phase, long? requested, long expected)
    {
        var pod = new JsonObject { ["spec"] = new JsonObject { ["nodeName"] = node }, ["status"] = new JsonObject { ["phase"] = phase } };

        Assert.That(BuiltInStrategies.Pod.GracePeriodSeconds(pod, requested), Is.EqualTo(expected));
    }

    [Test]
    public void BeginDelete_Namespace_TurnsTerminatingAndWaitsForItsFinalizer()
    {
        var type = ResourceCatalog.FindKind("", "Namespace")!;
        var ns = Parse("""{"metadata":{"name":"team"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}""");

        var decision = type.Strategy.BeginDelete(type, ns, DateTimeOffset.UnixEpoch);

        Assert.That(decision, Is.EqualTo(DeleteDecision.Wait));
        Assert.That(ns["status"]!["phase"]!.GetValue<string>(), Is.EqualTo("Terminating"));
        Assert.That(ns["metadata"]!["deletionTimestamp"]!.GetValue<string>(), Is.EqualTo("1970-01-01T00:00:00Z"));
    }

    [Test]
    public void BeginDelete_SystemNamespace_IsForbidden()
    {
        var type = ResourceCatalog.FindKind("", "Namespace")!;

        var error = Assert.Throws<ApiException>(() => type.Strategy.BeginDelete(type, Parse("""{"metadata":{"name":"kube-system"}}"""), DateTimeOffset.UnixEpoch));

        Assert.That(error!.Code, Is.EqualTo(403));
    }

    [Test]
    public void SchemaStrategy_SchemaDrivenKind_DefaultsAndValidatesFromTheSchema()
    {
        var strategy = new SchemaStrategy(new ReplicasSchema());
        var obj = Parse("""{"metadata":{"name":"Bad_Name"},"spec":{},"status":{"ready":true}}""");

        strategy.ApplyDefaults(obj);
        strategy.PrepareForCreate(obj);
        var errors = strategy.Validate(obj, namespaced: true);

        Assert.That(obj["spec"]!["replicas"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(obj.ContainsKey("status"), Is.False);
        Assert.That(strategy.TracksGeneration, Is.True);
        Assert.That(errors.Select(e => e.Field), Is.EquivalentTo(new[] { "metadata.namespace", "metadata.name", "spec.replicas" }));
    }

    /// <summary>A stand-in for a CRD's structural schema: spec.replicas defaults to 1 and must stay below 1.</summary>
    private sealed class ReplicasSchema : IObjectSchema
    {
        public bool HasStatusSubresource => true;

        public void ApplyDefaults(JsonObject obj)
        {
            var spec = obj["spec"] as JsonObject ?? [];
            spec["replicas"] ??= 1;
            obj["spec"] = spec;
        }

        public void Validate(JsonObject obj, List<FieldError> errors)
        {
            if (obj["spec"]?["replicas"]?.GetValue<int>() >= 1)
            {
                errors.Add(FieldError.Invalid(FieldPath.Of("spec", "replicas"), BadValue.Of(1), "must be less than 1"));
            }
        }
    }
}
