using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration.Fuzz;

/// <summary>
/// Request bodies a careless or hostile client might send, generated from a seeded
/// <see cref="Random"/> so that a failing run repeats: well-formed objects of the right kind
/// with values of the wrong type, nulls, unknown and missing fields, the wrong kind or
/// apiVersion, truncated and byte-flipped JSON, YAML, protobuf-looking bytes, bad UTF-8, deep
/// nesting (JSON and YAML), bodies past the 3 MiB limit, and empty or scalar bodies.
/// </summary>
internal sealed class FuzzBodies(Random random)
{
    private static readonly string[] Scalars = ["", "x", "-1", "0", "1e400", "null", "true", "[]", "{}", "💥", "a\u0000b", new string('a', 300)];

    // Richer objects than a bare name, so mutations reach the validation of nested fields.
    private static readonly string[] Samples =
    [
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":80}],"env":[{"name":"A","value":"b"}],"resources":{"limits":{"cpu":"1"}}}],"ephemeralContainers":[{"name":"d","image":"busybox"}],"tolerations":[{"key":"k","operator":"Exists"}]}}""",
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"NodePort","selector":{"app":"x"},"ports":[{"port":80,"targetPort":"http","nodePort":30080}]}}""",
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m","annotations":{"a":"b"}},"data":{"k":"v"},"binaryData":{"b":"AAEC"}}""",
        """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"backoffLimit":1,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""",
        """{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0,"propagationPolicy":"Foreground","preconditions":{"uid":"u","resourceVersion":"1"}}""",
        """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"},"deleteOptions":{"gracePeriodSeconds":1}}""",
        """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"apiVersion":"v1","kind":"Node","name":"n"}}""",
        """{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"d"},"spec":{"replicas":3}}""",
    ];

    /// <summary>A body for a write to <paramref name="endpoint"/> named <paramref name="name"/>, and its content type.</summary>
    public (byte[] Body, string? ContentType) Next(ServedEndpoint endpoint, string name, string method)
    {
        var contentType = ContentType(method);
        var roll = random.Next(100);
        byte[] body = roll switch
        {
            < 45 => Encode(Mutate(Seed(endpoint, name)), contentType),
            < 55 => Truncate(Encode(Seed(endpoint, name), contentType)),
            < 62 => FlipBytes(Encode(Seed(endpoint, name), contentType)),
            < 68 => BadUtf8(Encode(Seed(endpoint, name), contentType)),
            < 74 => Deep(contentType),
            < 78 => Protobufish(),
            < 80 => Huge(endpoint, name),
            < 86 => Encoding.UTF8.GetBytes(Pick(["", " ", "null", "[]", "1", "\"x\"", "{}", "{\"kind\":null}", "---\n", "[{}]"])),
            < 93 => Encode(Patchish(), contentType),
            _ => Encode(WrongKind(endpoint, name), contentType),
        };
        return (body, random.Next(20) == 0 ? Pick([null, "text/plain", "application/xml", "application/json; charset=utf-8", "*/*", "application/yaml"]) : contentType);
    }

    /// <summary>Query strings with valid and invalid values of the options a write or list takes.</summary>
    public string Query(bool list)
    {
        var parts = new List<string>();
        if (random.Next(2) == 0)
        {
            parts.Add("dryRun=All");
        }
        var options = list
            ? new[] { "labelSelector", "fieldSelector", "limit", "resourceVersion", "resourceVersionMatch", "continue", "timeoutSeconds", "allowWatchBookmarks", "sendInitialEvents" }
            : ["fieldManager", "fieldValidation", "force", "gracePeriodSeconds", "propagationPolicy", "orphanDependents", "dryRun", "pretty", "labelSelector"];
        for (var i = random.Next(3); i > 0; i--)
        {
            parts.Add($"{Pick(options)}={Uri.EscapeDataString(Pick(["", "x", "Strict", "Warn", "Ignore", "All", "true", "-1", "0", "1", "abc", "a=b", "a!=b,c in (d)", "metadata.name=x", "spec.nope=1", "))(", "NotOlderThan", "Exact", "99999999999999999999", "Foreground", "kubectl", new string('z', 200)]))}");
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private string? ContentType(string method) => method switch
    {
        "PATCH" => Pick(["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml", "application/apply-patch+cbor"]),
        _ => Pick(["application/json", "application/json", "application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]),
    };

    private JsonObject Seed(ServedEndpoint endpoint, string name)
    {
        if (random.Next(3) == 0)
        {
            return (JsonObject)JsonNode.Parse(Pick(Samples))!;
        }
        return new JsonObject
        {
            ["apiVersion"] = endpoint.ApiVersion,
            ["kind"] = endpoint.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = random.Next(4) == 0 ? "other" : "default" },
        };
    }

    private JsonNode? Mutate(JsonNode? node)
    {
        for (var i = 1 + random.Next(4); i > 0; i--)
        {
            node = MutateOnce(node);
        }
        return node;
    }

    private JsonNode? MutateOnce(JsonNode? root)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        if (containers.Count == 0)
        {
            return RandomValue(2);
        }
        var target = Pick(containers);
        switch (target)
        {
            case JsonObject obj when obj.Count > 0 && random.Next(3) > 0:
                var key = obj.ElementAt(random.Next(obj.Count)).Key;
                if (random.Next(4) == 0)
                {
                    obj.Remove(key);
                }
                else
                {
                    obj[key] = RandomValue(2);
                }
                break;
            case JsonObject obj:
                obj[Pick(["spec", "status", "metadata", "data", "items", "unknownField", "$patch", "$setElementOrder/containers", "kind", "apiVersion", "resourceVersion", "finalizers"])] = RandomValue(2);
                break;
            case JsonArray array when array.Count > 0 && random.Next(2) == 0:
                array[random.Next(array.Count)] = RandomValue(2);
                break;
            case JsonArray array:
                array.Add(RandomValue(2));
                break;
        }
        return root;
    }

    private static void Collect(JsonNode? node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject obj:
                containers.Add(obj);
                foreach (var (_, value) in obj)
                {
                    Collect(value, containers);
                }
                break;
            case JsonArray array:
                containers.Add(array);
                foreach (var value in array)
                {
                    Collect(value, containers);
                }
                break;
        }
    }

    private JsonNode? RandomValue(int depth) => random.Next(depth <= 0 ? 7 : 10) switch
    {
        0 => null,
        1 => JsonValue.Create(Pick(Scalars)),
        2 => JsonValue.Create(random.Next(4) switch { 0 => -1L, 1 => long.MaxValue, 2 => 0L, _ => random.Next(100000) }),
        3 => JsonValue.Create(random.NextDouble() * 1e6),
        4 => JsonValue.Create(random.Next(2) == 0),
        5 => JsonValue.Create("2026-12-06T00:00:00Z"),
        6 => JsonValue.Create(Pick(["Always", "TCP", "ClusterIP", "Foreground", "v1", "Pod", "kubernetes.io/x", "10.0.0.1", "1Gi", "100m"])),
        7 => new JsonArray(RandomValue(depth - 1), RandomValue(depth - 1)),
        8 => new JsonObject { [Pick(["name", "key", "value", "image", "port", "x", "items", "matchLabels", "op", "path"])] = RandomValue(depth - 1) },
        _ => new JsonObject { ["name"] = "c", ["image"] = RandomValue(depth - 1), ["ports"] = new JsonArray(RandomValue(depth - 1)) },
    };

    // A JSON patch, or something that looks like one.
    private JsonNode Patchish() => random.Next(3) switch
    {
        0 => new JsonArray(new JsonObject { ["op"] = Pick(["add", "remove", "replace", "move", "copy", "test", "bogus"]), ["path"] = Pick(["/metadata/labels/a", "/spec/containers/0/image", "/spec/-", "/", "", "/a~2b", "/metadata/name"]), ["from"] = Pick(["/metadata", "/x"]), ["value"] = RandomValue(2) }),
        1 => new JsonObject { ["metadata"] = new JsonObject { ["labels"] = RandomValue(1) }, ["spec"] = new JsonObject { ["$patch"] = Pick(["delete", "replace", "merge", "bogus"]), ["$retainKeys"] = RandomValue(1) } },
        _ => new JsonObject { ["spec"] = new JsonObject { ["$setElementOrder/containers"] = new JsonArray(new JsonObject { ["name"] = "c" }, RandomValue(1)), ["containers"] = new JsonArray(RandomValue(2)), ["$deleteFromPrimitiveList/finalizers"] = RandomValue(1) } },
    };

    private JsonObject WrongKind(ServedEndpoint endpoint, string name)
    {
        var obj = Seed(endpoint, name);
        obj["kind"] = Pick(["Pod", "Deployment", "Status", "", "List", "ConfigMapList", "DeleteOptions", "Nope"]);
        obj["apiVersion"] = Pick(["v1", "apps/v1", "v2", "", "nope/v1", "apps/v1beta1", "/"]);
        return obj;
    }

    private byte[] Encode(JsonNode? node, string? contentType)
    {
        var json = node?.ToJsonString() ?? "null";
        // An apply patch or a YAML body is YAML, of which JSON is a subset; turn some into block YAML.
        if (contentType is "application/yaml" or "application/apply-patch+yaml" && random.Next(2) == 0)
        {
            return Encoding.UTF8.GetBytes(Yaml(node, 0));
        }
        return Encoding.UTF8.GetBytes(json);
    }

    private static string Yaml(JsonNode? node, int indent)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                var lines = new StringBuilder();
                foreach (var (key, value) in obj)
                {
                    lines.Append(pad).Append(key).Append(value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 } ? ":\n" + Yaml(value, indent + 2) : ": " + (value?.ToJsonString() ?? "null") + "\n");
                }
                return lines.ToString();
            case JsonArray array when array.Count > 0:
                return string.Concat(array.Select(item => $"{pad}- {item?.ToJsonString() ?? "null"}\n"));
            default:
                return pad + (node?.ToJsonString() ?? "null") + "\n";
        }
    }

    private byte[] Truncate(byte[] body) => body.Length < 2 ? body : body[..random.Next(1, body.Length)];

    private byte[] FlipBytes(byte[] body)
    {
        var copy = (byte[])body.Clone();
        for (var i = 1 + random.Next(3); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }

    private byte[] BadUtf8(byte[] body)
    {
        var at = random.Next(body.Length + 1);
        byte[][] sequences = [[0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF]];
        return [.. body[..at], .. Pick(sequences), .. body[at..]];
    }

    private byte[] Deep(string? contentType)
    {
        var depth = Pick([99, 101, 200, 5000]);
        string text;
        if (contentType is "application/yaml" or "application/apply-patch+yaml")
        {
            var yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n");
            for (var i = 0; i < depth; i++)
            {
                yaml.Append(new string(' ', 2 + 2 * i)).Append("a:\n");
            }
            text = yaml.Append(new string(' ', 2 + 2 * depth)).Append("b\n").ToString();
        }
        else
        {
            var open = random.Next(2) == 0 ? "[" : "{\"a\":";
            var close = open == "[" ? "]" : "}";
            text = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\",\"labels\":" + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "}}";
        }
        return Encoding.UTF8.GetBytes(text);
    }

    // Kubernetes' protobuf envelope starts with "k8s\0"; the rest is noise or a truncated message.
    private byte[] Protobufish()
    {
        var noise = new byte[random.Next(0, 64)];
        random.NextBytes(noise);
        return random.Next(3) == 0 ? noise : [.. "k8s\0"u8, 0x0A, (byte)random.Next(256), .. noise];
    }

    private byte[] Huge(ServedEndpoint endpoint, string name)
    {
        var obj = Seed(endpoint, name);
        obj["data"] = new JsonObject { ["k"] = new string('x', 3 * 1024 * 1024 + random.Next(1000)) };
        return Encoding.UTF8.GetBytes(obj.ToJsonString());
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
