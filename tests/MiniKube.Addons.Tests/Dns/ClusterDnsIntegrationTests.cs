using MiniKube.Testing;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Dns;
using static MiniKube.Addons.Tests.Dns.DnsObjects;

namespace MiniKube.Addons.Tests.Dns;

[Category("Integration")]
public sealed class ClusterDnsIntegrationTests
{
    private TestApiServer _api = null!;
    private Kubernetes _client = null!;

    [SetUp]
    public async Task SetUpAsync()
    {
        _api = await TestApiServer.StartAsync();
        _client = _api.Client();
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        _api.DeleteDirectory();
    }

    [Test]
    public async Task Server_ServicesInTheApi_AnsweredOverUdpAndTcp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var web = ClusterIpService("default", "web", "10.43.0.20", Port("http", 80));
        web.Spec.ClusterIPs = null;
        await _client.CoreV1.CreateNamespacedServiceAsync(web, "default", cancellationToken: timeout.Token);
        await _client.CoreV1.CreateNamespacedServiceAsync(HeadlessService("default", "db", Port("pg", 5432)), "default", cancellationToken: timeout.Token);
        await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(
            Slice("default", "db", [new Discoveryv1EndpointPort { Name = "pg", Port = 5432, Protocol = "TCP" }], Endpoint("10.42.0.7", hostname: "db-0")),
            "default", cancellationToken: timeout.Token);
        await KubeDnsService.EnsureAsync(_client, "10.43.0.10", "node-a", "127.0.0.1", 5353, timeout.Token);

        // The upstream is a second server of our own, authoritative for another domain.
        using var upstream = ClusterDnsServer.Bind(
            new DnsQueryHandler(new ClusterDnsResolver(new FixedServiceDirectory([ClusterIpService("default", "far", "10.99.0.1")], []), new ClusterDnsOptions { Domain = "upstream.test" }, TimeProvider.System), null, NullLogger<DnsQueryHandler>.Instance),
            new ClusterDnsOptions { Port = 0 },
            NullLogger<ClusterDnsServer>.Instance);
        var runUpstream = upstream.RunAsync(timeout.Token);

        using var dns = ClusterDns.Bind(_client, new ClusterDnsOptions { Port = 0, Upstream = upstream.Endpoints[0] }, NullLoggerFactory.Instance, TimeProvider.System);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var run = dns.RunAsync(stop.Token);
        await dns.Serving.WaitAsync(timeout.Token);
        var endpoint = dns.Endpoints[0];

        var udpWeb = await QueryUdpAsync(endpoint, "web.default.svc.cluster.local", DnsType.A, timeout.Token);
        var tcpDb = await QueryTcpAsync(endpoint, "db-0.db.default.svc.cluster.local", DnsType.A, timeout.Token);
        var kubeDns = await QueryUdpAsync(endpoint, "kube-dns.kube-system.svc.cluster.local", DnsType.A, timeout.Token);
        var srv = await QueryTcpAsync(endpoint, "_dns._udp.kube-dns.kube-system.svc.cluster.local", DnsType.SRV, timeout.Token);
        var missing = await QueryUdpAsync(endpoint, "nope.default.svc.cluster.local", DnsType.A, timeout.Token);
        var forwarded = await QueryUdpAsync(endpoint, "far.default.svc.upstream.test", DnsType.A, timeout.Token);
        var forwardedTcp = await QueryTcpAsync(endpoint, "far.default.svc.upstream.test", DnsType.A, timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(Addresses(udpWeb), Is.EqualTo(new[] { "10.43.0.20" }));
            Assert.That(Addresses(tcpDb), Is.EqualTo(new[] { "10.42.0.7" }));
            Assert.That(Addresses(kubeDns), Is.EqualTo(new[] { "10.43.0.10" }));
            Assert.That(srv.Answers.Select(a => a.Data), Is.EqualTo(new[] { new DnsSrvData(0, 100, 53, "kube-dns.kube-system.svc.cluster.local") }));
            Assert.That(missing.ResponseCode, Is.EqualTo(DnsResponseCode.NameError));
            Assert.That(missing.Authority.Single().Type, Is.EqualTo(DnsType.SOA));
            Assert.That(Addresses(forwarded), Is.EqualTo(new[] { "10.99.0.1" }));
            Assert.That(Addresses(forwardedTcp), Is.EqualTo(new[] { "10.99.0.1" }));
        });

        // A Service created later is answered once the watch brings it.
        await _client.CoreV1.CreateNamespacedServiceAsync(ClusterIpService("default", "late", "10.43.0.21", Port("http", 80)), "default", cancellationToken: timeout.Token);
        DnsMessage late;
        do
        {
            late = await QueryUdpAsync(endpoint, "late.default.svc.cluster.local", DnsType.A, timeout.Token);
        }
        while (late.ResponseCode == DnsResponseCode.NameError && await Delay(timeout.Token));
        Assert.That(Addresses(late), Is.EqualTo(new[] { "10.43.0.21" }));

        await stop.CancelAsync();
        await run;
        timeout.Cancel();
        await runUpstream;
    }

    [Test]
    public async Task EnsureAsync_TwiceAndAfterANodeIpChange_KeepsOneServiceAndRewritesTheSlice()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await KubeDnsService.EnsureAsync(_client, "10.43.0.10", "node-a", "192.0.2.1", 53, timeout.Token);
        await KubeDnsService.EnsureAsync(_client, "10.43.0.10", "node-a", "192.0.2.1", 53, timeout.Token);
        await KubeDnsService.EnsureAsync(_client, "10.43.0.10", "node-a", "192.0.2.2", 53, timeout.Token);

        var service = await _client.CoreV1.ReadNamespacedServiceAsync("kube-dns", "kube-system", cancellationToken: timeout.Token);
        var slice = await _client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("kube-dns-node-a", "kube-system", cancellationToken: timeout.Token);
        Assert.Multiple(() =>
        {
            Assert.That(service.Spec.ClusterIP, Is.EqualTo("10.43.0.10"));
            Assert.That(service.Spec.Selector, Is.Null.Or.Empty);
            Assert.That(service.Spec.Ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"), Is.EqualTo(new[] { "dns/53/UDP", "dns-tcp/53/TCP" }));
            Assert.That(slice.Endpoints.Single().Addresses, Is.EqualTo(new[] { "192.0.2.2" }));
            Assert.That(slice.Metadata.Labels["kubernetes.io/service-name"], Is.EqualTo("kube-dns"));
        });

        await KubeDnsService.RemoveEndpointAsync(_client, "node-a", timeout.Token);
        var slices = await _client.DiscoveryV1.ListNamespacedEndpointSliceAsync("kube-system", cancellationToken: timeout.Token);
        Assert.That(slices.Items.Select(s => s.Metadata.Name), Does.Not.Contain("kube-dns-node-a"));
    }

    private static async Task<bool> Delay(CancellationToken cancellationToken)
    {
        await Task.Delay(50, cancellationToken);
        return true;
    }

    private static string[] Addresses(DnsMessage reply) =>
        [.. reply.Answers.Where(a => a.Type is DnsType.A or DnsType.AAAA).Select(a => ((DnsAddressData)a.Data).Address.ToString())];

    private static byte[] Query(string name, DnsType type) =>
        DnsWire.Encode(new DnsMessage { Id = (ushort)Random.Shared.Next(ushort.MaxValue), RecursionDesired = true, Questions = [new DnsQuestion(name, type)] });

    private static async Task<DnsMessage> QueryUdpAsync(IPEndPoint server, string name, DnsType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancellationToken);
        await socket.SendAsync(Query(name, type), SocketFlags.None, cancellationToken);
        var buffer = new byte[4096];
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        return DnsWire.Decode(buffer.AsSpan(0, received));
    }

    private static async Task<DnsMessage> QueryTcpAsync(IPEndPoint server, string name, DnsType type, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server, cancellationToken);
        var stream = client.GetStream();
        var query = Query(name, type);
        var prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)query.Length);
        await stream.WriteAsync(prefix, cancellationToken);
        await stream.WriteAsync(query, cancellationToken);
        await stream.ReadExactlyAsync(prefix, cancellationToken);
        var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        return DnsWire.Decode(reply);
    }
}
