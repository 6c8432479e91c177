using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Ingress;
using MiniKube.Testing;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>
/// The data plane against the in-process API server, as node-a's data plane user (so its bootstrap
/// role is what lets it read), with listeners and two backends (A, B) on loopback ports, and a
/// client that sends any host name to the proxy as <c>curl --resolve</c> does.
/// </summary>
internal sealed class ProxyTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private ProxyTestBed(TestApiServer api)
    {
        Api = api;
        Admin = api.Client();
        Identity = TestIdentities.Client(api, MiniKube.Api.IngressNodeIdentity.UserName("node-a"), MiniKube.Api.IngressNodeIdentity.Group);
    }

    public TestApiServer Api { get; }

    public Kubernetes Admin { get; }

    public Kubernetes Identity { get; }

    public IngressController Controller { get; private set; } = null!;

    public TestBackend A { get; private set; } = null!;

    public TestBackend B { get; private set; } = null!;

    /// <summary>Starts the API server, the backends and the data plane (with <paramref name="sources"/> made from its client); <paramref name="before"/> runs before the data plane starts.</summary>
    public static async Task<ProxyTestBed> StartAsync(Func<Kubernetes, IReadOnlyList<IProxyTableSource>>? sources = null, Func<Kubernetes, Task>? before = null)
    {
        var bed = new ProxyTestBed(await TestApiServer.StartAsync());
        bed.A = await TestBackend.StartAsync("A");
        bed.B = await TestBackend.StartAsync("B");
        if (before is not null)
        {
            await before(bed.Admin);
        }
        bed.Controller = await IngressController.StartAsync(bed.Identity, new IngressProxyOptions { ListenAddress = IPAddress.Loopback, HttpPort = 0, HttpsPort = 0 },
            NullLoggerFactory.Instance, TimeProvider.System, bed._stop.Token, sources?.Invoke(bed.Identity));
        bed._running = bed.Controller.RunAsync(bed._stop.Token);
        await bed.Controller.Serving.WaitAsync(Patience);
        await bed.ServiceAsync("default", "web-a", bed.A.Port);
        await bed.ServiceAsync("default", "web-b", bed.B.Port);
        return bed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Controller.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
        _stop.Dispose();
        Identity.Dispose();
        Admin.Dispose();
        await Api.DisposeAsync();
        Api.DeleteDirectory();
    }

    /// <summary>A Service (port 80 "http") whose endpoints are loopback <paramref name="ports"/>.</summary>
    public async Task ServiceAsync(string ns, string name, params int[] ports)
    {
        await Admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }] },
        }, ns);
        // Each endpoint its own slice: one slice has one port number per port name.
        for (var i = 0; i < ports.Length; i++)
        {
            await Admin.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = $"{name}-{i}", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = ports[i], Protocol = "TCP" }],
            }, ns);
        }
    }

    /// <summary>Sends until the body starts with <paramref name="expect"/> (the configuration has arrived) or patience runs out.</summary>
    public async Task<Reply> EventuallyAsync(string host, string path, bool tls, string expect, IReadOnlyDictionary<string, string>? headers = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var reply = await SendAsync(host, path, tls, headers);
            if (reply.Body.StartsWith(expect, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.That(reply.Body, Does.StartWith(expect));
                return reply;
            }
            await Task.Delay(50);
        }
    }

    public async Task<Reply> SendAsync(string host, string path, bool tls, IReadOnlyDictionary<string, string>? headers = null)
    {
        string? certificate = null;
        using var client = new HttpClient(Handler(tls, subject => certificate = subject));
        var port = tls ? Controller.Proxy.HttpsEndpoint.Port : Controller.Proxy.HttpEndpoint.Port;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{(tls ? "https" : "http")}://{host}:{port}{path}")
        {
            // Over TLS, HTTP/2 by ALPN; in the clear, HTTP/1.1.
            Version = tls ? HttpVersion.Version20 : HttpVersion.Version11,
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await client.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.ToString(), certificate, response.Version,
            response.Headers.Select(h => (h.Key, string.Join(",", h.Value))).ToDictionary(h => h.Key, h => h.Item2, StringComparer.OrdinalIgnoreCase));
    }

    // Every name resolves to the proxy, as curl --resolve does; the host name still goes out as SNI and Host.
    public static SocketsHttpHandler Handler(bool tls, Action<string> certificate) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, _) =>
            {
                certificate(cert?.Subject ?? "");
                return tls;
            },
        },
    };

    public sealed record Reply(HttpStatusCode Status, string Body, string? Location, string? Certificate, Version Version, IReadOnlyDictionary<string, string> Headers);
}
