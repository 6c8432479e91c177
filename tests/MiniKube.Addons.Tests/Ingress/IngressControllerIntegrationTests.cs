using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using k8s;
using k8s.Models;
using static MiniKube.Addons.Tests.Ingress.IngressObjects;

namespace MiniKube.Addons.Tests.Ingress;

/// <summary>
/// The data plane against the in-process API server, as a node's data plane user system:mkube:ingress:node-a (so its bootstrap
/// role is what lets it read), with listeners and backends on loopback ports: hosts, paths,
/// certificates by SNI, the HTTPS redirect, retries past a dead endpoint, a WebSocket that
/// survives a configuration change, and a rule that gains a path.
/// </summary>
[Category("Integration")]
public sealed class IngressControllerIntegrationTests
{
    private static readonly TimeSpan Patience = ProxyTestBed.Patience;

    private ProxyTestBed _bed = null!;

    [SetUp]
    public async Task SetUpAsync() => _bed = await ProxyTestBed.StartAsync();

    [TearDown]
    public async Task TearDownAsync() => await _bed.DisposeAsync();

    [Test]
    public async Task Proxy_HostsPathsTlsAndRedirect_AsTheIngressSays()
    {
        await _bed.Admin.CoreV1.CreateNamespacedSecretAsync(TlsSecret("default", "a-cert", "a.test"), "default");
        var ingress = NewIngress("default", "site",
            Rule("a.test", Path("/", "Prefix", "web-a", 80), Path("/exact", "Exact", "web-b", 80)),
            Rule("*.b.test", Path("/api", "Prefix", "web-b", 80)));
        ingress.Spec.Tls = [new V1IngressTLS { Hosts = ["a.test"], SecretName = "a-cert" }];
        await _bed.Admin.NetworkingV1.CreateNamespacedIngressAsync(ingress, "default");

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
            Assert.That(redirect.Location, Is.EqualTo($"https://a.test:{_bed.Controller.Proxy.HttpsEndpoint.Port}/x?y=1"));
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
        await ServiceAsync("pool", deadPort, _bed.A.Port);
        await _bed.Admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "pool", Rule("pool.test", Path("/", "Prefix", "pool", 80))), "default");
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
        await _bed.Admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "ws", Rule("ws.test", Path("/", "Prefix", "web-a", 80))), "default");
        await EventuallyAsync("ws.test", "/", tls: false, expect: "A ws.test");
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Host", "ws.test");
        using var invoker = new HttpMessageInvoker(Handler(tls: false, _ => { }));
        await socket.ConnectAsync(new Uri($"ws://ws.test:{_bed.Controller.Proxy.HttpEndpoint.Port}/ws"), invoker, CancellationToken.None);
        Assert.That(await EchoAsync(socket, "before"), Is.EqualTo("before"));

        await _bed.Admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "more", Rule("more.test", Path("/", "Prefix", "web-b", 80))), "default");
        await EventuallyAsync("more.test", "/", tls: false, expect: "B more.test");

        Assert.That(await EchoAsync(socket, "after"), Is.EqualTo("after"));
    }

    [Test]
    public async Task Proxy_RuleGainsAPath_MatchedAsItNowSays()
    {
        // A rule for a whole host is decided by ASP.NET's host match alone; the same rule (the same
        // route) with a path must be checked per request again from the moment it changes.
        await _bed.Admin.NetworkingV1.CreateNamespacedIngressAsync(NewIngress("default", "kind", Rule("kind.test", Path("/", "Prefix", "web-a", 80))), "default");
        await EventuallyAsync("kind.test", "/other", tls: false, expect: "A kind.test");
        Assert.That((await SendAsync("KIND.Test", "/x", tls: false)).Body, Does.StartWith("A "), "hosts compare ignoring case");

        var ingress = await _bed.Admin.NetworkingV1.ReadNamespacedIngressAsync("kind", "default");
        ingress.Spec.Rules[0].Http.Paths[0].Path = "/api";
        await _bed.Admin.NetworkingV1.ReplaceNamespacedIngressAsync(ingress, "kind", "default");
        var status = HttpStatusCode.OK;
        for (var deadline = DateTime.UtcNow + Patience; status != HttpStatusCode.NotFound && DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            status = (await SendAsync("kind.test", "/other", tls: false)).Status;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "a path outside the rule's, once it has one");
            Assert.That((await SendAsync("kind.test", "/api/v1", tls: false)).Body, Does.StartWith("A kind.test"));
            Assert.That((await SendAsync("kind.test", "/API", tls: false)).Status, Is.EqualTo(HttpStatusCode.NotFound), "paths compare case-sensitively");
        });
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private Task ServiceAsync(string name, params int[] ports) => _bed.ServiceAsync("default", name, ports);

    private Task<ProxyTestBed.Reply> EventuallyAsync(string host, string path, bool tls, string expect) => _bed.EventuallyAsync(host, path, tls, expect);

    private Task<ProxyTestBed.Reply> SendAsync(string host, string path, bool tls) => _bed.SendAsync(host, path, tls);

    private static SocketsHttpHandler Handler(bool tls, Action<string> certificate) => ProxyTestBed.Handler(tls, certificate);
}
