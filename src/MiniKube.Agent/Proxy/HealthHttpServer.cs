using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Proxy;

/// <summary>
/// One plain-HTTP listener answering every request with one handler: what a Go http.Server per
/// port is to kube-proxy's health servers (the proxy's own healthz and each service's
/// health-check node port). Started bound, so a port already taken fails the start with an
/// <see cref="IOException"/> rather than later; disposed to close the port.
/// </summary>
internal sealed class HealthHttpServer(WebApplication app, int port) : IAsyncDisposable
{
    /// <summary>The port bound (the one asked for, or the OS's choice for 0).</summary>
    public int Port => port;

    public static async Task<HealthHttpServer> StartAsync(IPEndPoint endpoint, RequestDelegate handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        // No configuration-file watching (inotify instances are scarce), no logging of its own: the proxy logs what matters.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint);
        });
        var app = builder.Build();
        app.Run(handler);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        // Kestrel lists what it bound as URLs ("http://127.0.0.1:34567"); the port is what port 0 needs.
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new HealthHttpServer(app, int.Parse(bound[(bound.LastIndexOf(':') + 1)..].TrimEnd('/'), CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
