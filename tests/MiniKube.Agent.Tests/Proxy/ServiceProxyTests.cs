using MiniKube.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Agent.Proxy;

namespace MiniKube.Agent.Tests.Proxy;

/// <summary>The proxy's sync loop against an in-process API server, with the packet rules faked.</summary>
[TestFixture]
[Category("Integration")]
public sealed class ServiceProxyTests
{
    [Test]
    public async Task RunAsync_ServiceAndSliceCreatedThenServiceDeleted_RestoresRulesThenDeletesTheChain()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        var rules = new FakePacketRules();
        var proxy = new ServiceProxy(client, rules, new ServiceProxyOptions { MinSyncInterval = TimeSpan.FromMilliseconds(50), HealthzEndpoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);
        await proxy.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(rules.Ensured, Is.SupersetOf(ProxyRules.Jumps.Select(j => j.ToString())), "the jumps from the built-in chains are installed");

        var service = await client.CoreV1.CreateNamespacedServiceAsync(ProxyObjects.Service("web", "", ProxyObjects.Port("http", 80)), "default");
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(ProxyObjects.Slice("web", "http", 8080, "172.17.0.2"), "default");
        var chain = ProxyChains.ForService("default/web:http", "tcp");
        await rules.WaitForRestoreAsync(r => r.Contains($"-d {service.Spec.ClusterIP}/32 -p tcp -m tcp --dport 80 -j {chain}", StringComparison.Ordinal));

        rules.Chains = [chain];
        await client.CoreV1.DeleteNamespacedServiceAsync("web", "default");
        var deleted = await rules.WaitForRestoreAsync(r => r.Contains($"-X {chain}", StringComparison.Ordinal));
        Assert.That(deleted, Does.Not.Contain("default/web").And.Not.Contain("--to-destination 172.17.0.2:8080"));

        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task RunAsync_RestoreFails_RetriesAndKeepsRunning()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        var rules = new FakePacketRules { FailuresLeft = 1 };
        var proxy = new ServiceProxy(client, rules, new ServiceProxyOptions { RetryInterval = TimeSpan.FromMilliseconds(100), MinSyncInterval = TimeSpan.FromMilliseconds(10), HealthzEndpoint = null }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);

        await proxy.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(rules.Restores, Has.Count.GreaterThanOrEqualTo(1));
        Assert.That(running.IsCompleted, Is.False);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task RunAsync_LocalLoadBalancer_HealthCheckNodePortAnswers200WithALocalEndpointAnd503Without()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        // Two nodes' proxies in one process: each serves health checks on a loopback address of its own.
        var proxies = new[] { ("node-a", IPAddress.Parse("127.0.0.1")), ("node-b", IPAddress.Parse("127.0.0.2")) }
            .Select(n => (Address: n.Item2, Proxy: new ServiceProxy(client, new FakePacketRules(), new ServiceProxyOptions
            {
                MinSyncInterval = TimeSpan.FromMilliseconds(20),
                NodeName = n.Item1,
                HealthCheckAddress = n.Item2,
                HealthzEndpoint = new IPEndPoint(n.Item2, 0),
            }, NullLoggerFactory.Instance))).ToList();
        using var stop = new CancellationTokenSource();
        var running = proxies.Select(p => p.Proxy.RunAsync(stop.Token)).ToList();
        var service = ProxyObjects.LoadBalancerService("web", "", [], ProxyObjects.Port("http", 80));
        service.Spec.ExternalTrafficPolicy = "Local";
        service = await client.CoreV1.CreateNamespacedServiceAsync(service, "default");
        var port = service.Spec.HealthCheckNodePort!.Value;
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(ProxyObjects.Slice("web", [new() { Name = "http", Port = 8080, Protocol = "TCP" }],
            [ProxyObjects.Endpoint("10.42.0.5", ready: true, node: "node-a"), ProxyObjects.Endpoint("10.42.0.6", ready: true, node: "node-a"), ProxyObjects.Endpoint("10.42.1.5", ready: false, node: "node-b")]), "default");
        using var http = new HttpClient();

        var onA = await WaitForAnswerAsync(http, $"http://127.0.0.1:{port}/healthz", 200);
        var onB = await WaitForAnswerAsync(http, $"http://127.0.0.2:{port}/healthz", 503);

        var body = JsonNode.Parse(onA)!;
        Assert.That(body["service"]!["namespace"]!.GetValue<string>(), Is.EqualTo("default"));
        Assert.That(body["service"]!["name"]!.GetValue<string>(), Is.EqualTo("web"));
        Assert.That(body["localEndpoints"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(body["serviceProxyHealthy"]!.GetValue<bool>(), Is.True);
        Assert.That(JsonNode.Parse(onB)!["localEndpoints"]!.GetValue<int>(), Is.Zero, "node-b's endpoint is not ready");
        var healthz = await http.GetAsync(new Uri($"http://127.0.0.1:{proxies[0].Proxy.HealthzPort}/healthz"));
        Assert.That((int)healthz.StatusCode, Is.EqualTo(200));
        Assert.That(await healthz.Content.ReadAsStringAsync(), Does.StartWith("{\"lastUpdated\": \"").And.EndWith("\"nodeEligible\": true}"));

        // Turned to Cluster, the Service needs no health check: the port closes.
        service.Spec.ExternalTrafficPolicy = "Cluster";
        await client.CoreV1.ReplaceNamespacedServiceAsync(service, "web", "default");
        await WaitUntilAsync(() => proxies.All(p => p.Proxy.HealthCheckPorts.Count == 0));
        await stop.CancelAsync();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task RunAsync_HealthCheckPortTaken_RecordsFailedToStartServiceHealthcheckOnTheService()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        var service = ProxyObjects.LoadBalancerService("web", "", [], ProxyObjects.Port("http", 80));
        service.Spec.ExternalTrafficPolicy = "Local";
        service = await client.CoreV1.CreateNamespacedServiceAsync(service, "default");
        var port = service.Spec.HealthCheckNodePort!.Value;
        var address = IPAddress.Parse("127.0.0.3");
        using var squatter = new System.Net.Sockets.TcpListener(address, port);
        squatter.Start();
        var proxy = new ServiceProxy(client, new FakePacketRules(), new ServiceProxyOptions { MinSyncInterval = TimeSpan.FromMilliseconds(20), NodeName = "node-a", HealthCheckAddress = address, HealthzEndpoint = null }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);

        var reported = await WaitForAsync(async () => (await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "reason=FailedToStartServiceHealthcheck")).Items.FirstOrDefault());

        Assert.That(reported.Type, Is.EqualTo("Warning"));
        Assert.That(reported.InvolvedObject.Kind, Is.EqualTo("Service"));
        Assert.That(reported.InvolvedObject.Name, Is.EqualTo("web"));
        Assert.That(reported.InvolvedObject.Uid, Is.EqualTo(service.Metadata.Uid), "kubectl describe service finds it by uid");
        Assert.That(reported.Message, Does.StartWith($"node node-a failed to start healthcheck \"default/web\" on port {port}: "));
        Assert.That(reported.Source.Component, Is.EqualTo("kube-proxy"));
        Assert.That(proxy.HealthCheckPorts, Is.Empty);

        // The port freed, the next sync serves it.
        squatter.Stop();
        await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch("{\"metadata\":{\"labels\":{\"poke\":\"1\"}}}", V1Patch.PatchType.MergePatch), "web", "default");
        await WaitUntilAsync(() => proxy.HealthCheckPorts.Count == 1);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task RunAsync_OwnNodeMarkedForDeletion_HealthzAnswers503WithNodeNotEligible()
    {
        await using var server = await TestApiServer.StartAsync();
        using var client = server.Client();
        var node = await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" } });
        var proxy = new ServiceProxy(client, new FakePacketRules(), new ServiceProxyOptions { MinSyncInterval = TimeSpan.FromMilliseconds(20), NodeName = "node-a", HealthzEndpoint = new IPEndPoint(IPAddress.Loopback, 0) }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);
        await proxy.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(20));
        using var http = new HttpClient();
        var healthz = $"http://127.0.0.1:{proxy.HealthzPort}/healthz";
        Assert.That(await WaitForAnswerAsync(http, healthz, 200), Does.EndWith("\"nodeEligible\": true}"));

        node.Spec = new V1NodeSpec { Taints = [new V1Taint { Key = ProxyHealth.ToBeDeletedTaint, Effect = "NoSchedule" }] };
        await client.CoreV1.ReplaceNodeAsync(node, "node-a");

        Assert.That(await WaitForAnswerAsync(http, healthz, 503), Does.EndWith("\"nodeEligible\": false}"));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "nothing within 20 s");
            await Task.Delay(50);
        }
    }

    /// <summary>The body of the first answer with <paramref name="status"/>, waiting while the proxy syncs.</summary>
    private static async Task<string> WaitForAnswerAsync(HttpClient http, string url, int status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(url));
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if ((int)response.StatusCode == status)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"{url} did not answer {status} within 20 s; last: {last}");
        return "";
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "condition not met within 20 s");
            await Task.Delay(50);
        }
    }

    private sealed class FakePacketRules : IPacketRules
    {
        private readonly ConcurrentQueue<string> _restores = new();

        public IReadOnlyList<string> Chains { get; set; } = [];

        public int FailuresLeft { get; set; }

        public ConcurrentBag<string> Ensured { get; } = [];

        public IReadOnlyCollection<string> Restores => _restores;

        public Task PrepareHostAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<IReadOnlyList<string>> ListNatChainsAsync(CancellationToken cancellationToken) => Task.FromResult(Chains);

        public Task RestoreAsync(string rules, CancellationToken cancellationToken)
        {
            if (FailuresLeft-- > 0)
            {
                throw new PacketRulesException("iptables-restore: line 3 failed");
            }
            _restores.Enqueue(rules);
            return Task.CompletedTask;
        }

        public Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            Ensured.Add(new JumpRule(table, chain, arguments).ToString());
            return Task.CompletedTask;
        }

        public async Task<string> WaitForRestoreAsync(Func<string, bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                if (_restores.LastOrDefault(condition) is { } found)
                {
                    return found;
                }
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail("no restore matched within 20 s; last:\n" + _restores.LastOrDefault());
                }
                await Task.Delay(50);
            }
        }
    }
}
