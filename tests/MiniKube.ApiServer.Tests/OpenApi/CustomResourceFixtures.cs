using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>A CRD in the style of public ones: int-or-string, preserved and embedded fields, list types, status and scale.</summary>
internal static class CustomResourceFixtures
{
    public static JsonObject Widgets(string resourceVersion = "1", string description = "How many parts the widget has.") => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"widgets.example.com","uid":"0b6f","resourceVersion":"RESOURCE_VERSION"},
         "spec":{"group":"example.com","scope":"Namespaced",
          "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
          "versions":[
           {"name":"v1","served":true,"storage":true,
            "subresources":{"status":{},"scale":{"specReplicasPath":".spec.size","statusReplicasPath":".status.size"}},
            "selectableFields":[{"jsonPath":".spec.color"}],
            "schema":{"openAPIV3Schema":{"type":"object","description":"A Widget is a test widget.",
             "properties":{
              "spec":{"type":"object","description":"The desired widget.","required":["size"],
               "properties":{
                "size":{"type":"integer","minimum":1,"description":"DESCRIPTION"},
                "color":{"type":"string","enum":["red","blue"],"default":"red"},
                "port":{"x-kubernetes-int-or-string":true,"description":"A port by number or name."},
                "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
                "parts":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                         "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"weight":{"type":"number"}}}},
                "rules":{"type":"string","x-kubernetes-validations":[{"rule":"self.size() < 10","message":"short"}]}}},
              "status":{"type":"object","properties":{"size":{"type":"integer"}}}}}}},
           {"name":"v2","served":false,"storage":false}]},
         "status":{"conditions":[{"type":"Established","status":"True"}]}}
        """.Replace("RESOURCE_VERSION", resourceVersion, StringComparison.Ordinal).Replace("DESCRIPTION", description, StringComparison.Ordinal))!.AsObject();

    public static JsonObject Gadgets() => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"gadgets.example.com"},
         "spec":{"group":"example.com","scope":"Cluster","names":{"plural":"gadgets","kind":"Gadget","listKind":"GadgetCollection"},
          "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
        """)!.AsObject();

    /// <summary>Widgets as discovery lists them.</summary>
    public static JsonObject WidgetsResource() => JsonNode.Parse("""
        {"name":"widgets","singularName":"widget","namespaced":true,"kind":"Widget",
         "verbs":["delete","deletecollection","get","list","patch","create","update","watch"],"shortNames":["wd"]}
        """)!.AsObject();
}
