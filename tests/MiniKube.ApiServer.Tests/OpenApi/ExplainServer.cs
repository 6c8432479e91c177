using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.OpenApi;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>
/// A plain-HTTP loopback server for the real kubectl: legacy discovery built from the catalog
/// (plus any custom resources a test adds as APIResource JSON), /version, and the OpenAPI v3
/// index and documents of an <see cref="OpenApiDocuments"/>.
/// </summary>
internal sealed class ExplainServer : IAsyncDisposable
{
    private const string Kubectl = "/usr/bin/kubectl";

    private readonly string _dir;
    private readonly WebApplication _app;
    private readonly string _server;

    private ExplainServer(string dir, WebApplication app, string server)
    {
        _dir = dir;
        _app = app;
        _server = server;
    }

    public string Directory => _dir;

    /// <param name="custom">Custom resources to list in discovery: (group, version, APIResource JSON).</param>
    public static async Task<ExplainServer> StartAsync(OpenApiDocuments documents, IReadOnlyList<(string Group, string Version, JsonObject Resource)>? custom = null)
    {
        custom ??= [];
        var dir = System.IO.Directory.CreateTempSubdirectory("mkube-explain-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/version", () => Results.Json(new Dictionary<string, string>
        {
            ["major"] = "1",
            ["minor"] = "32",
            ["gitVersion"] = "v1.32.0",
            ["platform"] = "linux/amd64",
        }));
        app.MapGet("/api", () => Results.Text(ApiVersions(), "application/json"));
        app.MapGet("/apis", () => Results.Text(GroupList(custom), "application/json"));
        app.MapGet("/api/{version}", (string version) => ResourceList("", version, custom));
        app.MapGet("/apis/{group}/{version}", (string group, string version) => ResourceList(group, version, custom));
        app.MapGet("/openapi/v3", () => Results.Bytes(documents.Index, "application/json"));
        app.MapGet("/openapi/v3/{**path}", (string path) =>
            documents.TryGetDocument(path, out var json, out _) ? Results.Bytes(json, "application/json") : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ExplainServer(dir, app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    public async Task<(int Exit, string Output)> RunKubectlAsync(params string[] args)
    {
        var kubeconfig = Path.Combine(_dir, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, "");
        var start = new ProcessStartInfo(Kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["KUBECONFIG"] = kubeconfig, ["HOME"] = _dir },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add("--server=" + _server);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(_dir, "cache"));
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        await TestContext.Out.WriteLineAsync(output);
        return (process.ExitCode, output);
    }

    private static string ApiVersions() => new JsonObject
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
    }.ToJsonString();

    private static string GroupList(IReadOnlyList<(string Group, string Version, JsonObject Resource)> custom)
    {
        var groups = new JsonArray();
        var versions = ResourceCatalog.All.Where(r => r.Group.Length > 0).Select(r => (r.Group, r.Version))
            .Concat(custom.Select(c => (c.Group, c.Version))).Distinct();
        foreach (var (group, version) in versions)
        {
            var entry = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
            groups.Add(new JsonObject
            {
                ["name"] = group,
                ["versions"] = new JsonArray(entry),
                ["preferredVersion"] = entry.DeepClone(),
            });
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups }.ToJsonString();
    }

    private static IResult ResourceList(string group, string version, IReadOnlyList<(string Group, string Version, JsonObject Resource)> custom)
    {
        var resources = new JsonArray();
        foreach (var r in ResourceCatalog.All.Where(r => r.Group == group && r.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.SingularName,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = new JsonArray([.. r.ShortNames.Select(v => (JsonNode)v)]),
            });
        }
        foreach (var c in custom.Where(c => c.Group == group && c.Version == version))
        {
            resources.Add(c.Resource.DeepClone());
        }
        if (resources.Count == 0)
        {
            return Results.NotFound();
        }
        var groupVersion = group.Length == 0 ? version : $"{group}/{version}";
        return Results.Text(new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        }.ToJsonString(), "application/json");
    }
}
