using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Protobuf;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>A request body kubectl sent, as received.</summary>
public sealed record RecordedRequest(string Method, string Path, string? ContentType, byte[] Body);

/// <summary>
/// Just enough of an API server on plain HTTP for kubectl's generator commands to POST their
/// bodies: /version (v1.32.0), legacy discovery built from <see cref="ResourceCatalog"/> (plus extras), and
/// creates that decode the protobuf body and echo it back as JSON, as a real server would.
/// Every request with a body is recorded.
/// </summary>
public sealed class RecordingApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly IReadOnlyList<ResourceType> resources;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    private RecordingApiServer(WebApplication app, IReadOnlyList<ResourceType> resources)
    {
        this.app = app;
        this.resources = resources;
    }

    public string Url { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests => [.. requests];

    /// <param name="extraResources">Served in discovery besides the catalog's, for kinds kubectl can create but mkube does not serve yet.</param>
    public static async Task<RecordingApiServer> StartAsync(IEnumerable<ResourceType>? extraResources = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordingApiServer(app, [.. ResourceCatalog.All, .. extraResources ?? []]);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method))
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            requests.Enqueue(new RecordedRequest(context.Request.Method, path, context.Request.ContentType, body.ToArray()));
            await CreateAsync(context, body.ToArray());
            return;
        }
        var document = path switch
        {
            "/version" => new JsonObject { ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0", ["platform"] = "linux/amd64" },
            "/api" => new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") },
            "/apis" => ApiGroupList(),
            _ when path.StartsWith("/api/", StringComparison.Ordinal) => ResourceList(path["/api/".Length..]),
            _ when path.StartsWith("/apis/", StringComparison.Ordinal) => ResourceList(path["/apis/".Length..]),
            _ => null,
        };
        await WriteJsonAsync(context, document is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK, document ?? NotFound());
    }

    private static async Task CreateAsync(HttpContext context, byte[] body)
    {
        if (!KubeProtobuf.IsProtobuf(context.Request.ContentType))
        {
            await WriteJsonAsync(context, StatusCodes.Status201Created, JsonNode.Parse(body)!.AsObject());
            return;
        }
        try
        {
            await WriteJsonAsync(context, StatusCodes.Status201Created, KubeProtobuf.Decode(body));
        }
        catch (KubeProtobufException e)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["message"] = e.Message, ["code"] = 400 });
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonObject document)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(document.ToJsonString());
    }

    private static JsonObject NotFound() =>
        new() { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = "NotFound", ["code"] = 404 };

    private JsonObject ApiGroupList()
    {
        var groups = new JsonArray();
        foreach (var group in resources.Where(r => r.Group.Length > 0).GroupBy(r => r.Group))
        {
            var version = new JsonObject { ["groupVersion"] = group.First().GroupVersion, ["version"] = group.First().Version };
            groups.Add(new JsonObject
            {
                ["name"] = group.Key,
                ["versions"] = new JsonArray(version.DeepClone()),
                ["preferredVersion"] = version,
            });
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private JsonObject? ResourceList(string groupVersion)
    {
        var list = new JsonArray();
        foreach (var type in resources.Where(r => r.GroupVersion == groupVersion))
        {
            list.Add(new JsonObject
            {
                ["name"] = type.Name,
                ["singularName"] = type.SingularName,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray([.. type.Verbs.Select(v => JsonValue.Create(v))]),
                ["shortNames"] = new JsonArray([.. type.ShortNames.Select(n => JsonValue.Create(n))]),
            });
        }
        return list.Count == 0
            ? null
            : new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = list };
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
