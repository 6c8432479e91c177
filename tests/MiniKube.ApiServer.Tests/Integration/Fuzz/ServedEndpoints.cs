using System.Text.Json.Nodes;
using k8s;

namespace MiniKube.ApiServer.Tests.Integration.Fuzz;

/// <summary>One resource or subresource as legacy discovery lists it.</summary>
/// <param name="GroupVersion">"v1" or "apps/v1".</param>
/// <param name="Resource">The plural, e.g. deployments.</param>
/// <param name="Subresource">e.g. status, or null for the resource itself.</param>
/// <param name="Kind">The kind its bodies carry.</param>
/// <param name="Namespaced">Whether its paths go through /namespaces/NS.</param>
/// <param name="Verbs">Discovery's verbs.</param>
internal sealed record ServedEndpoint(string GroupVersion, string Resource, string? Subresource, string Kind, bool Namespaced, IReadOnlyList<string> Verbs)
{
    /// <summary>The apiVersion of the parent resource's objects.</summary>
    public string ApiVersion => GroupVersion;

    public string Collection(string ns) =>
        $"{(GroupVersion.Contains('/', StringComparison.Ordinal) ? "/apis/" : "/api/")}{GroupVersion}{(Namespaced ? $"/namespaces/{ns}" : "")}/{Resource}";

    public string Item(string ns, string name) => $"{Collection(ns)}/{name}{(Subresource is null ? "" : "/" + Subresource)}";
}

/// <summary>
/// Every endpoint the server serves, read from its own discovery (/api, /apis and each group
/// version, all versions), so endpoints added later (new groups, CRDs) are covered without
/// changing the test that uses them.
/// </summary>
internal static class ServedEndpoints
{
    public static async Task<IReadOnlyList<ServedEndpoint>> ReadAsync(Kubernetes client, Uri server)
    {
        var versions = new List<string>();
        var core = RawHttp.Json((await RawHttp.SendAsync(client, server, HttpMethod.Get, "/api", null)).Body);
        versions.AddRange(core["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
        var groups = RawHttp.Json((await RawHttp.SendAsync(client, server, HttpMethod.Get, "/apis", null)).Body);
        versions.AddRange(groups["groups"]!.AsArray().SelectMany(g => g!["versions"]!.AsArray()).Select(v => v!["groupVersion"]!.GetValue<string>()));
        var endpoints = new List<ServedEndpoint>();
        foreach (var groupVersion in versions.Distinct(StringComparer.Ordinal))
        {
            var path = groupVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{groupVersion}" : $"/api/{groupVersion}";
            var (code, body) = await RawHttp.SendAsync(client, server, HttpMethod.Get, path, null);
            Assert.That(code, Is.EqualTo(200), $"discovery of {groupVersion}: {body}");
            foreach (var entry in RawHttp.Json(body)["resources"]!.AsArray().OfType<JsonObject>())
            {
                var name = entry["name"]!.GetValue<string>().Split('/', 2);
                endpoints.Add(new ServedEndpoint(
                    groupVersion,
                    name[0],
                    name.Length > 1 ? name[1] : null,
                    entry["kind"]!.GetValue<string>(),
                    entry["namespaced"]!.GetValue<bool>(),
                    [.. entry["verbs"]!.AsArray().Select(v => v!.GetValue<string>())]));
            }
        }
        return endpoints;
    }
}
