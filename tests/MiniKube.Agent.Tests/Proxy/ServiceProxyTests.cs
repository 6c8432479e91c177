using MiniKube.Testing;
using System.Collections.Concurrent;
using k8s;
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
        var proxy = new ServiceProxy(client, rules, new ServiceProxyOptions { MinSyncInterval = TimeSpan.FromMilliseconds(50) }, NullLoggerFactory.Instance);
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
        var proxy = new ServiceProxy(client, rules, new ServiceProxyOptions { RetryInterval = TimeSpan.FromMilliseconds(100), MinSyncInterval = TimeSpan.FromMilliseconds(10) }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);

        await proxy.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(rules.Restores, Has.Count.GreaterThanOrEqualTo(1));
        Assert.That(running.IsCompleted, Is.False);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
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
