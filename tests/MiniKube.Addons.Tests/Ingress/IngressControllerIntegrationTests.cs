using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Ingress;
using MiniKube.Testing;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>
/// The data plane against the in-process API server, as system:mkube:ingress (so its bootstrap
/// role is what lets it read), with listeners and backends on loopback ports: hosts, paths,
/// certificates by SNI, the HTTPS redirect, retries past a dead endpoint, and a WebSocket that
/// survives a configuration change.
/// </summary>
[Category("Integration")]
public sealed class IngressControllerIntegrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private TestApiServer _api = null!;
    private Kubernetes _admin = null!;
    private Kubernetes _identity = null!;
    private IngressController _controller = null!;
    private CancellationTokenSource _stop = null!;
    private Task _running = null!;
    private TestBackend _a = null!;
    private TestBackend _b = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _admin = _api.Client();
        _identity = new Kubernetes(TestIdentities.Configuration(_api, _api.Pki.Ingress));
        _a = await TestBackend.StartAsync("A");
        _b = await TestBackend.StartAsync("B");
        _stop = new CancellationTokenSource();
        _controller = await IngressController.StartAsync(_identity, new IngressProxyOptions { ListenAddress = IPAddress.Loopback, HttpPort = 0, HttpsPort = 0 }, NullLoggerFactory.Instance, TimeProvider.System, _stop.Token);
        _running = _controller.RunAsync(_stop.Token);
        await _controller.Serving.WaitAsync(Patience);
        await ServiceAsync("web-a", _a.Port);
        await ServiceAsync("web-b", _b.Port);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await _stop.CancelAsync();
        await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _controller.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _stop.Dispose();
        _identity.Dispose();
        _admin.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task Proxy_HostsPathsTlsAndRedirect_AsTheIngressSays()
    {
        await _admin.CoreV1.CreateNamespacedSecretAsync(TlsSecret("default", "a-cert", "a.test"), "default");
        var ingress = NewIngress("default", "site",
            Rule("a.test", Path("/", "Prefix", "web-a", 80), Path("/exact", "Exact", "web-b", 80)),
            Rule("*.b.test", Path("/api", "Prefix", "web-b", 80)));
        ingress.Spec.Tls = [new V1IngressTLS { Hosts = ["a.test"], SecretName = "a-cert" }];
        await _admin.NetworkingV1.CreateNamespacedIngressAsync(ingress, "default");

        var https = await EventuallyAsync("a.test", "/", tls: true, expect: "A a.test:");
        // The Secret reaches the SNI selector through its own informer, which may trail the route's: until then the default certificate answers.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); https.Certificate != "CN=a.test" && DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            https = await SendAsync("a.test", "/", tls: true);
        }
        var redirect = await SendAsync("a.test", "/x?y=1", tls: false);
        Assert.Multiple(async () =>
        {
            Assert.That(https.Certificate, Is.EqualTo("CN=a.test"), "the certificate chosen by SNI");
            Assert.That(https.Version, Is.EqualTo(HttpVersion.Version20), "HTTP/2 by ALPN");
            Assert.That(redirect.Status, Is.EqualTo(HttpStatusCode.PermanentRedirect));
            Assert.That(redirect.Location, Is.EqualTo($"https://a.test:{_controller.Proxy.HttpsEndpoint.Port}/x?y=1"));
            Assert.That((await SendAsync("a.test", "/exact", tls: true)).Body, Does.Match("^B a.test:[0-9]+ /exact "));
            Assert.That((await SendAsync("a.test", "/exact/", tls: true)).Body, Does.Match("^A a.test:[0-9]+ /exact/ "), "Exact does not match a trailing slash");
            Assert.That((await SendAsync("x.b.test", "/api/v1", tls: false)).Body, Does.Match("^B x.b.test:[0-9]+ /api/v1 "));
            Assert.That((await SendAsync("x.b.test", "/apix", tls: false)).Status, Is.EqualTo(HttpStatusCode.NotFound), "prefixes match whole path elements");
            Assert.That((await SendAsync("y.x.b.test", "/api", tls: false)).Status, Is.EqualTo(HttpStatusCode.NotFound), "a wildcard covers one label");
            Assert.That((await SendAsync("x.b.test", "/api", tls: true)).Certificate, Is.EqualTo("CN=mkube ingress default certificate"));
        });
    }

    [Test]
    public async Task Proxy_DeadEndpoint_RetriedOnAnotherOne()
    {
        var dead = new TcpListener(IPAddress.Loopback, 0);
        dead.Start();
        var deadPort = ((IPEndPoint)dead.LocalEndpoint).Port;
        dead.Stop();
        await ServiceAsync("pool", deadPort, _a.Port);
        await _admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "pool", Rule("pool.test", Path("/", "Prefix", "pool", 80))), "default");
        await EventuallyAsync("pool.test", "/", tls: false, expect: "A pool.test");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await SendAsync("pool.test", "/", tls: false)).Status);
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Proxy_ConfigChange_OpenWebSocketKeepsWorking()
    {
        await _admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "ws", Rule("ws.test", Path("/", "Prefix", "web-a", 80))), "default");
        await EventuallyAsync("ws.test", "/", tls: false, expect: "A ws.test");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", "ws.test");
        using var invoker = new HttpMessageInvoker(Handler(tls: false, _ => { }));
        await socket.ConnectAsync(new Uri($"ws://ws.test:{_controller.Proxy.HttpEndpoint.Port}/ws"), invoker, CancellationToken.None);
        Assert.That(await EchoAsync(socket, "before"), Is.EqualTo("before"));

        await _admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "more", Rule("more.test", Path("/", "Prefix", "web-b", 80))), "default");
        await EventuallyAsync("more.test", "/", tls: false, expect: "B more.test");

        Assert.That(await EchoAsync(socket, "after"), Is.EqualTo("after"));
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private async Task ServiceAsync(string name, params int[] ports)
    {
        await _admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }] },
        }, "default");
        // Each endpoint its own slice: one slice has one port number per port name.
        for (var i = 0; i < ports.Length; i++)
        {
            await _admin.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
            {
                Metadata = new V1ObjectMeta { Name = $"{name}-{i}", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
                AddressType = "IPv4",
                Endpoints = [new V1Endpoint { Addresses = ["127.0.0.1"], Conditions = new V1EndpointConditions { Ready = true } }],
                Ports = [new Discoveryv1EndpointPort { Name = "http", Port = ports[i], Protocol = "TCP" }],
            }, "default");
        }
    }

    private async Task<Reply> EventuallyAsync(string host, string path, bool tls, string expect)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var reply = await SendAsync(host, path, tls);
            if (reply.Body.StartsWith(expect, StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                Assert.That(reply.Body, Does.StartWith(expect));
                return reply;
            }
            await Task.Delay(50);
        }
    }

    private async Task<Reply> SendAsync(string host, string path, bool tls)
    {
        string? certificate = null;
        using var client = new HttpClient(Handler(tls, subject => certificate = subject));
        var port = tls ? _controller.Proxy.HttpsEndpoint.Port : _controller.Proxy.HttpEndpoint.Port;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{(tls ? "https" : "http")}://{host}:{port}{path}")
        {
            // Over TLS, HTTP/2 by ALPN; in the clear, HTTP/1.1.
            Version = tls ? HttpVersion.Version20 : HttpVersion.Version11,
        };
        using var response = await client.SendAsync(request);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.ToString(), certificate, response.Version);
    }

    // Every name resolves to the proxy, as curl --resolve does; the host name still goes out as SNI and Host.
    private static SocketsHttpHandler Handler(bool tls, Action<string> certificate) => new()
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

    private sealed record Reply(HttpStatusCode Status, string Body, string? Location, string? Certificate, Version Version);
}
