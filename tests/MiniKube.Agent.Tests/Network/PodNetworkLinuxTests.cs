using System.Diagnostics;
using MiniKube.Agent.Network;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Network;

/// <summary>
/// The pod network on the real kernel (needs root, iproute2, iptables, busybox): a bridge, two
/// network namespaces this test makes (<c>ip netns add mkube-test-…</c>) each held by a process,
/// wired as sandboxes are, and traffic between them, from the host, and through a hostPort on
/// 127.0.0.1. Every link, namespace and chain carries a name unique to the test and goes in TearDown.
/// </summary>
[TestFixture]
[Category("Integration")]
[NonParallelizable]
public sealed class PodNetworkLinuxTests
{
    private readonly List<Process> _processes = [];
    private readonly List<string> _namespaces = [];
    private TestPodNetwork _test = null!;

    [SetUp]
    public void CreateNetwork() => _test = TestPodNetwork.Real("10.250", mtu: 1400);

    [TearDown]
    public async Task RemoveEverything()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        foreach (var name in _namespaces)
        {
            await RunAsync("ip", "netns", "del", name);
        }
        _processes.Clear();
        _namespaces.Clear();
        await _test.DisposeAsync();
    }

    [Test]
    public async Task AttachAsync_TwoSandboxes_ReachEachOtherAndTheHostReachesThem()
    {
        await _test.Network.ConfigureAsync(_test.PodCidr, CancellationToken.None);
        var (a, pidA) = await SandboxAsync("a");
        var (b, pidB) = await SandboxAsync("b");
        var ipA = await _test.Network.AttachAsync("aaaaaaaaaaaaaaaa" + _test.Id, pidA, [], CancellationToken.None);
        var ipB = await _test.Network.AttachAsync("bbbbbbbbbbbbbbbb" + _test.Id, pidB, [], CancellationToken.None);
        var site = Directory.CreateDirectory(Path.Combine(_test.Directory, "site")).FullName;
        await File.WriteAllTextAsync(Path.Combine(site, "index.html"), "hello from b");
        Start("nsenter", $"--net=/run/netns/{b}", "busybox", "httpd", "-f", "-p", "8080", "-h", site);

        var podToPodPing = await RunAsync("nsenter", $"--net=/run/netns/{a}", "busybox", "ping", "-c", "1", "-W", "2", ipB.ToString());
        var hostToPodPing = await RunAsync("busybox", "ping", "-c", "1", "-W", "2", ipA.ToString());
        var podToPodTcp = await RetryAsync(() => RunAsync("nsenter", $"--net=/run/netns/{a}", "busybox", "wget", "-q", "-O", "-", $"http://{ipB}:8080/index.html"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var hostToPodTcp = await http.GetStringAsync($"http://{ipB}:8080/index.html");
        var link = await RunAsync("nsenter", $"--net=/run/netns/{a}", "ip", "-o", "link", "show", "dev", "eth0");
        var route = await RunAsync("nsenter", $"--net=/run/netns/{a}", "ip", "route", "show", "default");
        var hairpin = await File.ReadAllTextAsync($"/sys/class/net/{PodInterfaces.HostVethOf("aaaaaaaaaaaaaaaa" + _test.Id)}/brport/hairpin_mode");

        Assert.That(podToPodPing.ExitCode, Is.Zero, podToPodPing.Error);
        Assert.That(hostToPodPing.ExitCode, Is.Zero, hostToPodPing.Error);
        Assert.That(podToPodTcp.Output, Is.EqualTo("hello from b"), $"{podToPodTcp.ExitCode}: {podToPodTcp.Error}");
        Assert.That(hostToPodTcp, Is.EqualTo("hello from b"));
        Assert.That(link.Output, Does.Contain("mtu 1400"));
        Assert.That(route.Output.Trim(), Is.EqualTo($"default via {_test.PodCidr.BaseAddress.ToString()[..^1]}1 dev eth0"));
        Assert.That(hairpin.Trim(), Is.EqualTo("1"));
    }

    [Test]
    public async Task AttachAsync_HostPort_AnswersOnTheNodesLoopbackUntilDetached()
    {
        await _test.Network.ConfigureAsync(_test.PodCidr, CancellationToken.None);
        var (b, pidB) = await SandboxAsync("b");
        var hostPort = Random.Shared.Next(40000, 50000);
        var sandbox = "cccccccccccccccc" + _test.Id;
        await _test.Network.AttachAsync(sandbox, pidB, [new PortMapping(8080, hostPort, "TCP", null)], CancellationToken.None);
        var site = Directory.CreateDirectory(Path.Combine(_test.Directory, "site")).FullName;
        await File.WriteAllTextAsync(Path.Combine(site, "index.html"), "hello through a hostPort");
        Start("nsenter", $"--net=/run/netns/{b}", "busybox", "httpd", "-f", "-p", "8080", "-h", site);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var answer = await RetryAsync(async () => await http.GetStringAsync($"http://127.0.0.1:{hostPort}/index.html"));
        await _test.Network.DetachAsync(sandbox, CancellationToken.None);
        var chains = await RunAsync("iptables-save", "-t", "nat");

        Assert.That(answer, Is.EqualTo("hello through a hostPort"));
        Assert.That(chains.Output, Does.Not.Contain(_test.Options.ChainPrefix + "-HP-"), "the pod's chain went with it");
        Assert.That(_test.Network.AddressOf(sandbox), Is.Null);
    }

    [Test]
    public async Task ConfigureAsync_AgainByANewInstance_KeepsOneAddressOneHookAndTheAllocations()
    {
        await _test.Network.ConfigureAsync(_test.PodCidr, CancellationToken.None);
        var (_, pid) = await SandboxAsync("a");
        var address = await _test.Network.AttachAsync("dddddddddddddddd" + _test.Id, pid, [], CancellationToken.None);

        using var restarted = new PodNetwork(_test.Options, HostCommands.Instance, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        await restarted.ConfigureAsync(_test.PodCidr, CancellationToken.None);
        await restarted.ConfigureAsync(_test.PodCidr, CancellationToken.None);
        var addresses = await RunAsync("ip", "-o", "-4", "addr", "show", "dev", _test.Options.BridgeName);
        var forward = await RunAsync("iptables", "-S", "FORWARD");

        Assert.That(restarted.AddressOf("dddddddddddddddd" + _test.Id), Is.EqualTo(address));
        Assert.That(addresses.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        Assert.That(forward.Output.Split('\n').Count(l => l.Contains(_test.Options.ChainPrefix + "-POD-FORWARD", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task TearDownAsync_Configured_LeavesNoLinkChainOrHook()
    {
        await _test.Network.ConfigureAsync(_test.PodCidr, CancellationToken.None);

        await _test.Network.TearDownAsync(CancellationToken.None);
        var link = await RunAsync("ip", "link", "show", "dev", _test.Options.BridgeName);
        var filter = await RunAsync("iptables-save", "-t", "filter");
        var nat = await RunAsync("iptables-save", "-t", "nat");

        Assert.That(link.ExitCode, Is.Not.Zero);
        Assert.That(filter.Output + nat.Output, Does.Not.Contain(_test.Options.ChainPrefix));
    }

    /// <summary>A network namespace of the test's own with a process holding it, as a sandbox's pause process does.</summary>
    private async Task<(string Name, int Pid)> SandboxAsync(string suffix)
    {
        var name = $"mkube-test-{_test.Id}-{suffix}";
        var added = await RunAsync("ip", "netns", "add", name);
        Assert.That(added.ExitCode, Is.Zero, added.Error);
        _namespaces.Add(name);
        // nsenter without --fork execs the command, so the process in the namespace has nsenter's pid.
        var holder = Start("nsenter", $"--net=/run/netns/{name}", "sleep", "300");
        return (name, holder.Id);
    }

    private Process Start(string tool, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(tool, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        _processes.Add(process);
        return process;
    }

    private static Task<CommandResult> RunAsync(string tool, params string[] arguments) =>
        HostCommands.Instance.RunAsync(tool, arguments, null, CancellationToken.None);

    /// <summary>A server just started may not listen yet: a few tries, 200 ms apart.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                var result = await attempt();
                if (result is not CommandResult { Succeeded: false } || i == 9)
                {
                    return result;
                }
            }
            catch (HttpRequestException) when (i < 9)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
    }
}
