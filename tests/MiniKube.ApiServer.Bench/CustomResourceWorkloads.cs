using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 13's custom-resource figures: a custom object must cost no more than a ConfigMap of the
/// same size (creates/s ≥ 0.9× in the same run), and a 1 MB CRD must be Established and served
/// within 1 s of the request. ConfigMaps and custom objects carry the same <c>data</c> map and
/// are created in alternating rounds, so load drift hits both alike.
/// </summary>
internal static class CustomResourceWorkloads
{
    private const string Group = "bench.mkube.io";
    private const int Rounds = 4;
    private const int ObjectsPerRound = 2_500;

    public static async Task RunAsync(MkubeServer server, IDictionary<string, double> results)
    {
        var http = server.Client;
        await ApiWorkloads.SendAsync(http, HttpMethod.Post, new Uri(server.Address, "/api/v1/namespaces"), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"crs\"}}", HttpStatusCode.Created);

        results["crd established ms"] = await EstablishAsync(server, LargeDefinition(), "gadgets");
        results["crd size KB"] = Encoding.UTF8.GetByteCount(LargeDefinition().ToJsonString()) / 1024.0;
        await EstablishAsync(server, ItemDefinition(), "items");
        Console.Error.WriteLine($"  1 MB CRD ({results["crd size KB"]:F0} KB) established and served after {results["crd established ms"]:F0} ms");

        var configMaps = new Uri(server.Address, "/api/v1/namespaces/crs/configmaps");
        var items = new Uri(server.Address, $"/apis/{Group}/v1/namespaces/crs/items");
        var created = new Dictionary<string, (double Seconds, double CpuUs, int Count)> { ["cm"] = (0, 0, 0), ["cr"] = (0, 0, 0) };
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (label, uri, kind) in new[] { ("cm", configMaps, "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\""), ("cr", items, $"\"apiVersion\":\"{Group}/v1\",\"kind\":\"Item\"") })
            {
                var first = round * ObjectsPerRound;
                var next = first - 1;
                var cpu = server.CpuTime();
                var clock = Stopwatch.StartNew();
                await ApiWorkloads.RunClientsAsync(ApiWorkloads.Clients, async latencies =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < first + ObjectsPerRound)
                    {
                        await ApiWorkloads.SendAsync(http, HttpMethod.Post, uri, Body(kind, i), HttpStatusCode.Created);
                        latencies.Add(0);
                    }
                });
                var (seconds, cpuUs, count) = created[label];
                created[label] = (seconds + clock.Elapsed.TotalSeconds, cpuUs + (server.CpuTime() - cpu).TotalMicroseconds, count + ObjectsPerRound);
            }
        }
        foreach (var (label, (seconds, cpuUs, count)) in created)
        {
            results[label + " create/s"] = count / seconds;
            results[label + " create server cpu us"] = cpuUs / count;
        }
        var total = Rounds * ObjectsPerRound;
        foreach (var (label, uri) in new[] { ("cm", configMaps), ("cr", items), ("cm", configMaps), ("cr", items) })
        {
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
            var (rate, _) = await ApiWorkloads.RunClientsAsync(ApiWorkloads.Clients, async latencies =>
            {
                while (Stopwatch.GetTimestamp() < until)
                {
                    await ApiWorkloads.SendAsync(http, HttpMethod.Get, new Uri($"{uri}/o-{Random.Shared.Next(total).ToString(CultureInfo.InvariantCulture)}"), null, HttpStatusCode.OK);
                    latencies.Add(0);
                }
            });
            results[label + " get/s"] = results.TryGetValue(label + " get/s", out var earlier) ? (earlier + rate) / 2 : rate;
        }
        Console.Error.WriteLine($"  creates: ConfigMap {results["cm create/s"]:F0}/s ({results["cm create server cpu us"]:F0} µs CPU), custom object {results["cr create/s"]:F0}/s ({results["cr create server cpu us"]:F0} µs CPU); GETs {results["cm get/s"]:F0}/s vs {results["cr get/s"]:F0}/s");
    }

    /// <summary>Sends the CRD as Helm 4 does (server-side apply) and times it until the CRD is Established and its group-version lists the resource.</summary>
    private static async Task<double> EstablishAsync(MkubeServer server, JsonObject definition, string plural)
    {
        var http = server.Client;
        var name = $"{plural}.{Group}";
        var item = new Uri(server.Address, $"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}");
        var started = Stopwatch.GetTimestamp();
        await ApiWorkloads.SendAsync(http, HttpMethod.Patch, new Uri(item + "?fieldManager=bench&force=true"), definition.ToJsonString(), HttpStatusCode.Created, "application/apply-patch+yaml");
        while (true)
        {
            var established = await http.GetStringAsync(item);
            using var crd = JsonDocument.Parse(established);
            var ready = crd.RootElement.TryGetProperty("status", out var status)
                && status.TryGetProperty("conditions", out var conditions)
                && conditions.EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Established" && c.GetProperty("status").GetString() == "True");
            using var served = await http.GetAsync(new Uri(server.Address, $"/apis/{Group}/v1"));
            if (ready && served.IsSuccessStatusCode && (await served.Content.ReadAsStringAsync()).Contains($"\"name\":\"{plural}\"", StringComparison.Ordinal))
            {
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"{name} not established and served within 60 s: {established}");
            }
            await Task.Delay(5);
        }
    }

    /// <summary>The same ~1 KB payload for both kinds: ten data entries.</summary>
    private static string Body(string kindFields, int i)
    {
        var data = new StringBuilder();
        for (var k = 0; k < 10; k++)
        {
            data.Append(k == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"\"key-{k}\":\"{new string((char)('a' + k), 80)}\"");
        }
        return $"{{{kindFields},\"metadata\":{{\"name\":\"o-{i.ToString(CultureInfo.InvariantCulture)}\",\"labels\":{{\"app\":\"bench\"}}}},\"data\":{{{data}}}}}";
    }

    /// <summary>A ConfigMap-shaped custom kind: a top-level data map of strings.</summary>
    private static JsonObject ItemDefinition() => Definition("items", "Item", new JsonObject
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["data"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
        },
    });

    /// <summary>
    /// A CRD of about 1 MB in the style of the large public ones (deep, described, with enums,
    /// patterns, int-or-string, list maps and CEL rules): 120 spec sections of nested fields.
    /// </summary>
    private static JsonObject LargeDefinition()
    {
        var sections = new JsonObject();
        for (var s = 0; s < 120; s++)
        {
            var fields = new JsonObject();
            for (var f = 0; f < 12; f++)
            {
                fields[$"field{f}"] = (f % 4) switch
                {
                    0 => new JsonObject { ["type"] = "string", ["description"] = Description(s, f), ["pattern"] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ["maxLength"] = 63 },
                    1 => new JsonObject { ["type"] = "integer", ["format"] = "int32", ["description"] = Description(s, f), ["minimum"] = 0, ["maximum"] = 65535, ["default"] = 80 },
                    2 => new JsonObject { ["x-kubernetes-int-or-string"] = true, ["description"] = Description(s, f), ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }) },
                    _ => new JsonObject
                    {
                        ["type"] = "array",
                        ["description"] = Description(s, f),
                        ["x-kubernetes-list-type"] = "map",
                        ["x-kubernetes-list-map-keys"] = new JsonArray("name"),
                        ["items"] = new JsonObject
                        {
                            ["type"] = "object",
                            ["required"] = new JsonArray("name"),
                            ["properties"] = new JsonObject
                            {
                                ["name"] = new JsonObject { ["type"] = "string", ["description"] = Description(s, f) },
                                ["mode"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray("Auto", "Manual", "Off"), ["description"] = Description(s, f) },
                                ["extra"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                            },
                        },
                    },
                };
            }
            sections[$"section{s}"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = Description(s, -1),
                ["properties"] = fields,
                ["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = "!has(self.field1) || self.field1 >= 1", ["message"] = "field1 must be positive" }),
            };
        }
        return Definition("gadgets", "Gadget", new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["spec"] = new JsonObject { ["type"] = "object", ["properties"] = sections },
                ["status"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
            },
        });
    }

    private static string Description(int section, int field) =>
        $"Section {section} field {field}: a description as long as the ones generated from Go doc comments in the large public CRDs, "
        + "which explain what the field does, which values it takes, what the default is and which other fields it interacts with. "
        + "Changing it after creation is allowed unless the controller documents otherwise; see the project's reference for details.";

    private static JsonObject Definition(string plural, string kind, JsonObject schema) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.{Group}" },
        ["spec"] = new JsonObject
        {
            ["group"] = Group,
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["plural"] = plural, ["singular"] = kind.ToLowerInvariant(), ["kind"] = kind, ["listKind"] = kind + "List" },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["schema"] = new JsonObject { ["openAPIV3Schema"] = schema },
            }),
        },
    };
}
