using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>
/// A backend on a loopback port: answers <c>NAME HOST PATH</c> (HTTP/1.1 or h2c) with the x- headers it
/// got in <c>x-seen</c>, and echoes
/// WebSocket messages on <c>/ws</c>, so a test sees which backend a request reached and what the
/// proxy passed on.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<TestBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (context.WebSockets.IsWebSocketRequest)
            {
                using var socket = await context.WebSockets.AcceptWebSocketAsync();
                var buffer = new byte[1024];
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                        return;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, context.RequestAborted);
                }
            }
            // The x- headers it was sent, so a test sees what the proxy added or removed.
            context.Response.Headers["x-seen"] = string.Join(";", context.Request.Headers.Where(h => h.Key.StartsWith("x-", StringComparison.OrdinalIgnoreCase)).Select(h => $"{h.Key.ToLowerInvariant()}={h.Value}").Order(StringComparer.Ordinal));
            await context.Response.WriteAsync($"{name} {context.Request.Host} {context.Request.Path} {context.Request.Protocol}");
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        return new TestBackend(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
