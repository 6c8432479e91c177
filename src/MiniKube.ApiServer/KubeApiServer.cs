using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Http;
using MiniKube.Storage;

namespace MiniKube.ApiServer;

/// <summary>
/// The API server's HTTPS front: TLS with the cluster's serving certificate, HTTP/1.1 and
/// HTTP/2 (kubectl negotiates HTTP/2; upgrades need HTTP/1.1), client-certificate
/// authentication against the cluster CA, and the unauthenticated endpoints kube-apiserver
/// leaves open (/version, /healthz, /livez, /readyz). The resource API is not served yet: an
/// authenticated request for anything else gets a 404 Status.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private static readonly string[] PublicPaths = ["/version", "/healthz", "/livez", "/readyz"];

    private readonly WebApplication _app;

    private KubeApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The bound address, e.g. https://127.0.0.1:6443.</summary>
    public Uri Address { get; }

    public static async Task<KubeApiServer> StartAsync(ApiServerOptions options, IStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(loggers);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024; // kube-apiserver's limit
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = options.Pki.Serving;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    // Checked against the cluster CA by the authentication step, so a bad
                    // certificate gets a 401 Status rather than a failed handshake.
                    https.AllowAnyClientCertificate();
                });
            });
        });
        var app = builder.Build();
        var version = VersionDocument(options.KubernetesVersion);
        app.Use(async (context, next) =>
        {
            if (PublicPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.Ordinal)))
            {
                await next(context);
                return;
            }
            var certificate = await context.Connection.GetClientCertificateAsync(context.RequestAborted);
            if (certificate is null || !options.Pki.IsIssuedByCluster(certificate))
            {
                await StatusResponses.UnauthorizedAsync(context);
                return;
            }
            await next(context);
        });
        app.MapGet("/version", () => Results.Text(version, "application/json"));
        foreach (var health in new[] { "/healthz", "/livez", "/readyz" })
        {
            app.MapGet(health, () => Results.Text("ok", "text/plain"));
        }
        app.MapFallback(StatusResponses.NotFoundAsync);

        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        return new KubeApiServer(app, new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>/version as kube-apiserver answers it (apimachinery pkg/version Info).</summary>
    private static string VersionDocument(string kubernetesVersion)
    {
        var parts = kubernetesVersion.TrimStart('v').Split('.');
        var platform = "linux/" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : RuntimeInformation.OSArchitecture == Architecture.Arm ? "arm" : "amd64");
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = kubernetesVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-11-24T00:00:00Z",
            ["goVersion"] = "mkube " + Environment.Version,
            ["compiler"] = "mkube",
            ["platform"] = platform,
        });
    }
}
