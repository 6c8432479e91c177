using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Testing;

/// <summary>
/// A real HTTPS admission (or CRD conversion) webhook for tests: Kestrel on a loopback port the OS picks, serving a
/// certificate issued by a CA of its own (made with the project's <see cref="ClusterPki"/>), whose
/// PEM is the <see cref="CaBundle"/> a configuration carries. Each POSTed AdmissionReview is
/// recorded and answered by the test's handler, which returns the review's <c>response</c>
/// (uid, and the apiVersion and kind of the review received, are filled in), so a ConversionReview
/// is answered as one. <see cref="StopAsync"/> takes it down to test
/// failure policies; a later start on the same directory reuses the CA.
/// </summary>
public sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebhookServer(WebApplication app, int port, byte[] caBundle)
    {
        _app = app;
        Port = port;
        CaBundle = caBundle;
    }

    public int Port { get; }

    /// <summary>The PEM of the CA that issued the serving certificate.</summary>
    public byte[] CaBundle { get; }

    /// <summary>The AdmissionReview requests received (their <c>request</c>), in arrival order.</summary>
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>https://127.0.0.1:port + path.</summary>
    public string Url(string path) => $"https://127.0.0.1:{Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}{path}";

    /// <param name="directory">Where its CA and certificate are kept.</param>
    /// <param name="handler">path and AdmissionReview request → the response object.</param>
    /// <param name="names">DNS names the certificate carries besides localhost and 127.0.0.1 (e.g. a Service's <c>name.ns.svc</c>).</param>
    /// <param name="port">A fixed port (to come back on after a stop); 0 for one the OS picks.</param>
    public static async Task<TestWebhookServer> StartAsync(
        string directory, Func<string, JsonObject, Task<JsonObject>> handler, IReadOnlyCollection<string>? names = null, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var pki = ClusterPki.LoadOrCreate(directory, ["localhost", "127.0.0.1", .. names ?? []], TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(https => https.ServerCertificate = pki.Serving)));
        var app = builder.Build();
        TestWebhookServer? server = null;
        app.Run(async context =>
        {
            var review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
            var request = review?["request"] as JsonObject ?? [];
            server!.Requests.Enqueue(request);
            var response = await handler(context.Request.Path.Value ?? "/", request);
            response["uid"] = request["uid"]?.GetValue<string>();
            var answer = new JsonObject
            {
                ["apiVersion"] = review?["apiVersion"]?.GetValue<string>() ?? "admission.k8s.io/v1",
                ["kind"] = review?["kind"]?.GetValue<string>() ?? "AdmissionReview",
                ["response"] = response,
            };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new TestWebhookServer(app, new Uri(bound).Port, Encoding.ASCII.GetBytes(ClusterPki.Pem(pki.Ca)));
        return server;
    }

    /// <summary>A response that allows the request.</summary>
    public static JsonObject Allow() => new() { ["allowed"] = true };

    /// <summary>A response that denies with a message, code 403 and reason Forbidden, as controller-runtime's admission.Denied answers.</summary>
    public static JsonObject Deny(string message) =>
        new() { ["allowed"] = false, ["status"] = new JsonObject { ["code"] = 403, ["reason"] = "Forbidden", ["message"] = message } };

    /// <summary>A response that allows with a JSONPatch (base64 as the API carries it).</summary>
    public static JsonObject Patch(JsonArray operations) => new()
    {
        ["allowed"] = true,
        ["patchType"] = "JSONPatch",
        ["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(operations.ToJsonString())),
    };

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
