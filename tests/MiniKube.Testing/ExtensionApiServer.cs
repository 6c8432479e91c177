using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MiniKube.Testing;

/// <summary>
/// A small extension API server for aggregation tests: HTTPS on a loopback port with a
/// certificate for <c>&lt;service&gt;.&lt;namespace&gt;.svc</c> from a CA of its own
/// (<see cref="CaBundlePem"/>, what an APIService's caBundle carries). It serves the discovery
/// document of one group-version with a namespaced <c>widgets</c> resource (kind Widget, verbs
/// get, list, watch), a list of one widget <c>w1</c>, a GET that echoes who the request-header
/// identity says is asking, and a watch that sends ADDED then MODIFIED and ends. Every request is
/// recorded with its identity headers and the client certificate's subject.
/// </summary>
public sealed class ExtensionApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private ExtensionApiServer(WebApplication app, string group, string version, int port, string caBundlePem)
    {
        _app = app;
        Group = group;
        Version = version;
        Port = port;
        CaBundlePem = caBundlePem;
    }

    public string Group { get; }

    public string Version { get; }

    public int Port { get; }

    /// <summary>The PEM of the CA that signed the serving certificate.</summary>
    public string CaBundlePem { get; }

    /// <summary>What reached the server, in order.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public static async Task<ExtensionApiServer> StartAsync(string group, string version, string serviceNamespace, string serviceName)
    {
        var (ca, serving) = Certificates($"{serviceName}.{serviceNamespace}.svc");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
        {
            https.ServerCertificate = serving;
            https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
            https.AllowAnyClientCertificate();
        })));
        var app = builder.Build();
        ExtensionApiServer? self = null;
        app.Run(context => self!.ServeAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new ExtensionApiServer(app, group, version, new Uri(address).Port, ca.ExportCertificatePem());
        ca.Dispose();
        return self;
    }

    /// <summary>A selector-less Service for the server, its Endpoints pointing at 127.0.0.1:<see cref="Port"/>, and the APIService (caBundle set), as JSON for the API.</summary>
    public (JsonObject Service, JsonObject Endpoints, JsonObject ApiService) Objects(string serviceNamespace, string serviceName) =>
    (
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = serviceName, ["namespace"] = serviceNamespace },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["targetPort"] = Port }) },
        },
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = new JsonObject { ["name"] = serviceName, ["namespace"] = serviceNamespace },
            ["subsets"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" }),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = Port }),
            }),
        },
        new JsonObject
        {
            ["apiVersion"] = "apiregistration.k8s.io/v1",
            ["kind"] = "APIService",
            ["metadata"] = new JsonObject { ["name"] = $"{Version}.{Group}" },
            ["spec"] = new JsonObject
            {
                ["group"] = Group,
                ["version"] = Version,
                ["service"] = new JsonObject { ["namespace"] = serviceNamespace, ["name"] = serviceName, ["port"] = 443 },
                ["caBundle"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(CaBundlePem)),
                ["groupPriorityMinimum"] = 100,
                ["versionPriority"] = 100,
            },
        }
    );

    /// <summary>Stops listening: later connections are refused.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ServeAsync(HttpContext context)
    {
        var certificate = await context.Connection.GetClientCertificateAsync();
        var request = context.Request;
        Requests.Enqueue(new SeenRequest(
            request.Path.Value ?? "", request.QueryString.Value ?? "", request.Headers["X-Remote-User"].ToString(),
            request.Headers["X-Remote-Group"].Select(g => g ?? "").ToList(), request.Headers.ContainsKey("Authorization"), certificate?.Subject));
        var root = $"/apis/{Group}/{Version}";
        var path = request.Path.Value ?? "";
        if (path == root)
        {
            await WriteAsync(context, new JsonObject
            {
                ["kind"] = "APIResourceList",
                ["apiVersion"] = "v1",
                ["groupVersion"] = $"{Group}/{Version}",
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["name"] = "widgets",
                    ["singularName"] = "widget",
                    ["namespaced"] = true,
                    ["kind"] = "Widget",
                    ["verbs"] = new JsonArray("get", "list", "watch"),
                    ["shortNames"] = new JsonArray("wdg"),
                }),
            });
            return;
        }
        var parts = path.StartsWith(root + "/namespaces/", StringComparison.Ordinal) ? path[(root.Length + 1)..].Split('/') : [];
        if (parts is ["namespaces", var ns, "widgets"])
        {
            if (request.Query["watch"] is ["true" or "1"])
            {
                await WatchAsync(context, ns);
                return;
            }
            await WriteAsync(context, new JsonObject
            {
                ["kind"] = "WidgetList",
                ["apiVersion"] = $"{Group}/{Version}",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "1" },
                ["items"] = new JsonArray(Widget(ns, "w1", context)),
            });
            return;
        }
        if (parts is ["namespaces", var itemNs, "widgets", var name])
        {
            await WriteAsync(context, Widget(itemNs, name, context));
            return;
        }
        context.Response.StatusCode = 404;
        await WriteAsync(context, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["status"] = "Failure", ["reason"] = "NotFound", ["code"] = 404 }, keepStatus: true);
    }

    // ADDED, a pause, MODIFIED: the second event shows the stream is passed on as it comes, not when it ends.
    private async Task WatchAsync(HttpContext context, string ns)
    {
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        foreach (var type in new[] { "ADDED", "MODIFIED" })
        {
            var line = new JsonObject { ["type"] = type, ["object"] = Widget(ns, "w1", context) }.ToJsonString() + "\n";
            await context.Response.WriteAsync(line);
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }
    }

    private JsonObject Widget(string ns, string name, HttpContext context) => new()
    {
        ["kind"] = "Widget",
        ["apiVersion"] = $"{Group}/{Version}",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = "1" },
        ["spec"] = new JsonObject
        {
            ["seenUser"] = context.Request.Headers["X-Remote-User"].ToString(),
            ["seenGroups"] = new JsonArray(context.Request.Headers["X-Remote-Group"].Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()),
        },
    };

    private static async Task WriteAsync(HttpContext context, JsonObject body, bool keepStatus = false)
    {
        if (!keepStatus)
        {
            context.Response.StatusCode = 200;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static (X509Certificate2 Ca, X509Certificate2 Serving) Certificates(string dnsName)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=extension-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));
        // Kestrel wants a certificate whose key it can use: a PKCS#12 round trip gives one.
        using var withKey = issued.CopyWithPrivateKey(key);
        var serving = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return (ca, serving);
    }
}

/// <summary>One request an <see cref="ExtensionApiServer"/> received.</summary>
/// <param name="Path">The URL path.</param>
/// <param name="Query">The query string, with its '?'.</param>
/// <param name="User">X-Remote-User.</param>
/// <param name="Groups">Each X-Remote-Group.</param>
/// <param name="HadAuthorization">Whether an Authorization header came through.</param>
/// <param name="ClientCertificate">The client certificate's subject, or null.</param>
public sealed record SeenRequest(string Path, string Query, string User, IReadOnlyList<string> Groups, bool HadAuthorization, string? ClientCertificate);
