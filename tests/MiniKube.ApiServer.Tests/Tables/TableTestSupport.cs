using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Tables;

namespace MiniKube.ApiServer.Tests.Tables;

/// <summary>Builds one-row tables and reads cells by column name.</summary>
internal static class TableTestSupport
{
    /// <summary>Serializer options that keep &lt; and &gt; readable in expected strings.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static ResourceType Type(string group, string name) => ResourceCatalog.All.Single(r => r.Group == group && r.Name == name);

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>An RFC 3339 timestamp the given time before <see cref="Now"/>.</summary>
    public static string Ago(TimeSpan age) => (Now - age).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static Dictionary<string, JsonNode?> Row(string group, string resource, string json)
    {
        var table = TableBuilder.BuildTable(Type(group, resource), [Obj(json)], new TableOptions(), Now);
        var names = table["columnDefinitions"]!.AsArray().Select(c => (string)c!["name"]!).ToList();
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.That(cells, Has.Count.EqualTo(names.Count));
        return names.Select((name, i) => (name, cell: cells[i])).ToDictionary(p => p.name, p => p.cell);
    }

    public static string Text(this Dictionary<string, JsonNode?> row, string column) => row[column]!.GetValue<string>();

    public static long Number(this Dictionary<string, JsonNode?> row, string column) => row[column]!.GetValue<long>();
}
