using k8s.Models;
using MiniKube.ApiServer.Protobuf;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.Tests.Protobuf;

public sealed class FieldTablesTests
{
    // Models reachable from a decodable kind that deliberately have no table: alpha or
    // status-only types no client sends in a body. Decoding one fails as unsupported.
    // CRDs reach the server as JSON or YAML (kubectl apply, Helm's apply patches); a protobuf CRD body is a 415.
    private static readonly Type[] WithoutTable = [typeof(V1CustomResourceDefinition)];

    private static IEnumerable<Type> Tables() => FieldTables.Models;

    [TestCaseSource(nameof(Tables))]
    public void ForModel_EveryJsonName_IsAPropertyOfTheModel(Type model)
    {
        var schema = ModelSchema.For(model);

        var missing = JsonNames(FieldTables.ForModel(model)!).Where(name => !schema.Properties.ContainsKey(name)).ToList();

        Assert.That(missing, Is.Empty, $"{model.Name} has no JSON properties {string.Join(", ", missing)}");
    }

    [Test]
    public void ForModel_ServedKindsAndEverythingTheyNest_HaveTables()
    {
        var roots = ResourceCatalog.All.Select(r => r.Model)
            .Concat([typeof(V1Binding), typeof(V1Eviction), typeof(V1Scale), typeof(V1DeleteOptions), typeof(Eventsv1Event)]);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<SchemaNode>();

        foreach (var root in roots)
        {
            Walk(ModelSchema.For(root), seen, missing);
        }

        Assert.That(missing, Is.Empty);
    }

    [Test]
    public void ForModel_PointerScalars_KeepZero()
    {
        var deploymentSpec = FieldTables.ForModel(typeof(V1DeploymentSpec))!;
        var container = FieldTables.ForModel(typeof(V1SecurityContext))!;

        Assert.That(deploymentSpec.Fields.Single(f => f.JsonName == "replicas").KeepZero, Is.True);
        Assert.That(deploymentSpec.Fields.Single(f => f.JsonName == "minReadySeconds").KeepZero, Is.False);
        Assert.That(container.Fields.Single(f => f.JsonName == "runAsUser").KeepZero, Is.True);
    }

    [Test]
    public void ForModel_LeaseTimes_AreMicroTimes()
    {
        var spec = FieldTables.ForModel(typeof(V1LeaseSpec))!;

        Assert.That(spec.Fields.Where(f => f.MicroTime).Select(f => f.JsonName), Is.EquivalentTo(new[] { "acquireTime", "renewTime" }));
    }

    private static void Walk(SchemaNode node, HashSet<SchemaNode> seen, SortedSet<string> missing)
    {
        if (!seen.Add(node))
        {
            return;
        }
        if (node.Kind is SchemaKind.Array or SchemaKind.Map)
        {
            Walk(node.Items!, seen, missing);
            return;
        }
        if (node.Kind != SchemaKind.Object || WithoutTable.Contains(node.Model))
        {
            return;
        }
        var table = FieldTables.ForModel(node.Model!);
        if (table is null)
        {
            missing.Add(node.Model!.Name);
            return;
        }
        // Only what the table reaches matters: fields it leaves out are skipped on the wire.
        foreach (var name in JsonNames(table))
        {
            if (node.Properties.TryGetValue(name, out var property))
            {
                Walk(property.Schema, seen, missing);
            }
        }
    }

    // JSON names a table writes, inline fragments expanded.
    private static IEnumerable<string> JsonNames(MessageTable table) =>
        table.Fields.SelectMany(f => f.IsInline ? JsonNames(FieldTables.Fragment(f.JsonName)) : [f.JsonName]);
}
