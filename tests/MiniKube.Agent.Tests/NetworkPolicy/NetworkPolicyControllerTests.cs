using k8s;
using k8s.Models;
using MiniKube.Agent.Network;
using MiniKube.Agent.NetworkPolicy;

namespace MiniKube.Agent.Tests.NetworkPolicy;

/// <summary>The controller's informers and sync against an in-process API server, with the host's commands recorded.</summary>
[TestFixture, Category("Integration")]
public sealed class NetworkPolicyControllerTests
{
    [Test]
    public async Task RunAsync_PolicyCreatedThenDeleted_PodChainWrittenThenRemovedWithinSeconds()
    {
        var commands = new RecordingCommands();
        await using var server = await MiniKube.Testing.TestApiServer.StartAsync();
        using var client = server.Client();
        var controller = new NetworkPolicyController(client, commands, new NetworkPolicyOptions { NodeName = "node-a", MinSyncInterval = TimeSpan.FromMilliseconds(100) }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        await controller.FirstSync.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var pod = await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new V1PodSpec { NodeName = "node-a", Containers = [new V1Container { Name = "c", Image = "busybox" }] },
        }, "default");
        var status = new { status = new { phase = "Running", podIP = "10.42.0.7", podIPs = new[] { new { ip = "10.42.0.7" } } } };
        await client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch), pod.Name(), "default");
        var podChain = new PolicyNames().PodChain("default", "web", ingress: true);

        var started = DateTime.UtcNow;
        await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(new V1NetworkPolicy
        {
            Metadata = new V1ObjectMeta { Name = "deny" },
            Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector() },
        }, "default");
        await commands.WaitForRestoreAsync(r => r.Contains($"-A MKUBE-NWPLCY-FWD -d 10.42.0.7/32 -m comment --comment \"default/web ingress\" -j {podChain}", StringComparison.Ordinal));
        var enforcedAfter = DateTime.UtcNow - started;
        await client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync("deny", "default");
        var removed = await commands.WaitForRestoreAsync(r => r.Contains($"-X {podChain}", StringComparison.Ordinal));

        Assert.That(enforcedAfter, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(removed, Does.Not.Contain("-d 10.42.0.7/32"));
        Assert.That(commands.Lines, Has.Some.StartsWith("iptables -w 5 -t filter -I FORWARD -m comment --comment mkube network policy -j MKUBE-NWPLCY-FWD"));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Records every command; <c>iptables-restore</c> inputs are kept, and <c>iptables -C</c> checks fail so hooks are inserted.</summary>
    private sealed class RecordingCommands : IHostCommands
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _restores = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
        {
            var line = string.Join(' ', [tool, .. arguments]);
            _lines.Enqueue(line);
            if (tool == "iptables-restore" && input is not null)
            {
                _restores.Enqueue(input);
            }
            var failed = tool == "iptables" && arguments.Contains("-C");
            return Task.FromResult(new CommandResult(failed ? 1 : 0, "", ""));
        }

        public async Task<string> WaitForRestoreAsync(Func<string, bool> condition)
        {
            for (var waited = 0; waited < 200; waited++)
            {
                if (_restores.LastOrDefault(condition) is { } found)
                {
                    return found;
                }
                await Task.Delay(50);
            }
            Assert.Fail("no iptables-restore matched within 10 s; last:\n" + _restores.LastOrDefault());
            return "";
        }
    }
}
