using System.Text.Json.Nodes;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>
/// One Gateway API kind as a CustomResourceDefinition of the bundle: its names, the versions it
/// serves (the first is the storage version; all share one schema, as upstream's conversion-free
/// versions do), printer columns and schema. <see cref="ToCrd"/> writes the apiextensions.k8s.io/v1
/// object with the bundle's annotations.
/// </summary>
internal sealed record CrdDefinition(
    string Kind,
    string Plural,
    bool Namespaced,
    IReadOnlyList<string> Versions,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<(string Name, string Type, string JsonPath, int Priority)> Columns,
    bool StatusSubresource,
    Func<JsonObject> Spec,
    Func<JsonObject>? Status)
{
    /// <summary>The CRD's name: <c>PLURAL.gateway.networking.k8s.io</c>.</summary>
    public string Name => Plural + "." + SharedTypes.Group;

    public JsonObject ToCrd()
    {
        var versions = new JsonArray();
        for (var i = 0; i < Versions.Count; i++)
        {
            var version = new JsonObject
            {
                ["name"] = Versions[i],
                ["served"] = true,
                ["storage"] = i == 0,
                ["schema"] = new JsonObject { ["openAPIV3Schema"] = RootSchema() },
                ["additionalPrinterColumns"] = new JsonArray([.. Columns.Select(Column)]),
            };
            if (StatusSubresource)
            {
                version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
            }
            versions.Add(version);
        }
        var names = new JsonObject
        {
            ["kind"] = Kind,
            ["listKind"] = Kind + "List",
            ["plural"] = Plural,
            ["singular"] = Kind.ToLowerInvariant(),
            ["categories"] = new JsonArray("gateway-api"),
        };
        if (ShortNames.Count > 0)
        {
            names["shortNames"] = new JsonArray([.. ShortNames.Select(n => (JsonNode?)n)]);
        }
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = Name,
                ["annotations"] = new JsonObject
                {
                    // A *.k8s.io group needs an approved API review (apiextensions' protected-group
                    // check); upstream cites the one that approved the bundle.
                    ["api-approved.kubernetes.io"] = "https://github.com/kubernetes-sigs/gateway-api/pull/3328",
                    [GatewayApiCrds.BundleVersionAnnotation] = GatewayApiCrds.BundleVersion,
                    [GatewayApiCrds.ChannelAnnotation] = GatewayApiCrds.Channel,
                },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = SharedTypes.Group,
                ["names"] = names,
                ["scope"] = Namespaced ? "Namespaced" : "Cluster",
                ["versions"] = versions,
            },
        };
    }

    private JsonObject RootSchema()
    {
        var root = Schema.Object(
            ("apiVersion", Schema.String()),
            ("kind", Schema.String()),
            ("metadata", new JsonObject { ["type"] = "object" }),
            ("spec", Spec()));
        if (Status is not null)
        {
            root["properties"]!["status"] = Status();
        }
        return root.Required("spec").Doc($"{Kind} of the Gateway API ({GatewayApiCrds.Channel} channel, {GatewayApiCrds.BundleVersion}).");
    }

    private static JsonNode Column((string Name, string Type, string JsonPath, int Priority) column)
    {
        var node = new JsonObject { ["name"] = column.Name, ["type"] = column.Type, ["jsonPath"] = column.JsonPath };
        if (column.Priority != 0)
        {
            node["priority"] = column.Priority;
        }
        return node;
    }

    /// <summary>The Age column every kind ends with.</summary>
    public static (string, string, string, int) Age => ("Age", "date", ".metadata.creationTimestamp", 0);
}
