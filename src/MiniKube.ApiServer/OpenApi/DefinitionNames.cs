using System.Reflection;
using k8s.Models;
using MiniKube.ApiServer.Schema;

namespace MiniKube.ApiServer.OpenApi;

/// <summary>
/// Upstream-style OpenAPI definition names for model classes, e.g.
/// <c>io.k8s.api.core.v1.PodSpec</c> or <c>io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta</c>
/// (the Go package path of the type, as kube-openapi names definitions). The class name gives the
/// version and Go name (<see cref="GoNames"/>); the package comes from, in order: the meta types
/// of apimachinery, a group prefix in the class name, the kind's own group, and otherwise the
/// group of the first served kind that reaches the type, core kinds first — shared types such as
/// PodTemplateSpec live in core and are reached from core kinds before apps or batch.
/// </summary>
internal sealed class DefinitionNames
{
    public const string Time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    private const string MetaPackage = "io.k8s.apimachinery.pkg.apis.meta";

    // apimachinery pkg/apis/meta/v1 types that the served kinds reference.
    private static readonly HashSet<string> MetaTypes =
    [
        "ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "OwnerReference",
        "ManagedFieldsEntry", "Condition", "DeleteOptions", "Preconditions", "Status",
        "StatusDetails", "StatusCause", "APIResource", "APIResourceList", "WatchEvent",
    ];

    // core/v1 types used only by kinds of other groups, so first-reach would misplace them.
    private static readonly HashSet<Type> CoreOnlyReachedFromOtherGroups =
    [
        typeof(V1TopologySelectorTerm), typeof(V1TopologySelectorLabelRequirement),
    ];

    private readonly Dictionary<Type, string> _reachedFrom = [];

    /// <param name="kinds">Served kinds with their API group; core kinds claim shared types first.</param>
    public DefinitionNames(IEnumerable<(Type Model, string Group)> kinds)
    {
        foreach (var (model, group) in kinds.OrderBy(k => k.Group.Length == 0 ? 0 : 1))
        {
            Claim(ModelSchema.For(model), Package(group));
        }
    }

    public string For(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = GoNames.Split(model);
        if (name.GroupPrefix is null && MetaTypes.Contains(name.Name))
        {
            return $"{MetaPackage}.{name.Version}.{name.Name}";
        }
        var package = name.GroupPrefix
            ?? (model.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity ? Package(entity.Group) : null)
            ?? (CoreOnlyReachedFromOtherGroups.Contains(model) ? "core" : null)
            ?? _reachedFrom.GetValueOrDefault(model)
            ?? "core";
        return $"io.k8s.api.{package}.{name.Version}.{name.Name}";
    }

    /// <summary>The Go package of an API group: core for "", else its first DNS label (coordination.k8s.io → coordination).</summary>
    private static string Package(string group) => group.Length == 0 ? "core" : group.Split('.')[0];

    private void Claim(SchemaNode node, string package)
    {
        if (node.Kind == SchemaKind.Object && node.Model is not null)
        {
            if (!_reachedFrom.TryAdd(node.Model, package))
            {
                return;
            }
            foreach (var property in node.Properties.Values)
            {
                Claim(property.Schema, package);
            }
        }
        else if (node.Items is not null)
        {
            Claim(node.Items, package);
        }
    }
}
