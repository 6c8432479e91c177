using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using MiniKube.Agent.Network;

namespace MiniKube.Agent.Bench;

/// <summary>
/// Pods as network namespaces of the benchmark's own (<c>PREFIX-NAME</c>), each routed through
/// the node namespace this process runs in (its own /24, the node side the gateway), so pod
/// traffic crosses the node's FORWARD chain as on a real node. Sockets are made inside a pod's
/// namespace by a thread that has entered it (setns), so connections are probed in-process.
/// Disposing removes every namespace it made.
/// </summary>
internal sealed partial class PodNamespaces(string prefix) : IAsyncDisposable
{
    private const int NewNet = 0x40000000;
    private readonly List<string> _made = [];
    private readonly Dictionary<string, BlockingCollection<Action>> _threads = [];

    /// <summary>Makes pod <paramref name="name"/>, the <paramref name="index"/>th (its /24 is 10.77.INDEX.0), and returns its address.</summary>
    public async Task<IPAddress> AddAsync(string name, int index)
    {
        var netns = $"{prefix}-{name}";
        var link = $"v{prefix}{index}";
        await RunAsync("ip", "netns", "add", netns);
        _made.Add(netns);
        await RunAsync("ip", "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", netns);
        await RunAsync("ip", "addr", "add", $"10.77.{index}.1/24", "dev", link);
        await RunAsync("ip", "link", "set", link, "up");
        await RunAsync("ip", "-n", netns, "link", "set", "lo", "up");
        await RunAsync("ip", "-n", netns, "addr", "add", $"10.77.{index}.2/24", "dev", "eth0");
        await RunAsync("ip", "-n", netns, "link", "set", "eth0", "up");
        await RunAsync("ip", "-n", netns, "route", "add", "default", "via", $"10.77.{index}.1");
        var work = new BlockingCollection<Action>();
        _threads[name] = work;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            using (var handle = File.OpenHandle($"/run/netns/{netns}"))
            {
                if (setns((int)handle.DangerousGetHandle(), NewNet) != 0)
                {
                    entered.SetException(new InvalidOperationException($"setns {netns}: errno {Marshal.GetLastPInvokeError()}"));
                    return;
                }
            }
            entered.SetResult();
            foreach (var action in work.GetConsumingEnumerable())
            {
                action();
            }
        }) { IsBackground = true, Name = netns }.Start();
        await entered.Task;
        return IPAddress.Parse($"10.77.{index}.2");
    }

    /// <summary>A TCP socket inside <paramref name="pod"/>'s namespace.</summary>
    public Task<Socket> SocketAsync(string pod)
    {
        var made = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _threads[pod].Add(() => made.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)));
        return made.Task;
    }

    /// <summary>Accepts and closes every connection to <paramref name="port"/> of <paramref name="pod"/> until disposal.</summary>
    public async Task ServeAsync(string pod, int port, CancellationToken cancellationToken)
    {
        using var listener = await SocketAsync(pod);
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(64);
        while (!cancellationToken.IsCancellationRequested)
        {
            using var accepted = await listener.AcceptAsync(cancellationToken);
        }
    }

    /// <summary>Whether a TCP connection from <paramref name="pod"/> to the address is accepted within 500 ms (a REJECT refuses it at once).</summary>
    public async Task<bool> ConnectsAsync(string pod, IPEndPoint to)
    {
        using var socket = await SocketAsync(pod);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        try
        {
            await socket.ConnectAsync(to, timeout.Token);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var work in _threads.Values)
        {
            work.CompleteAdding();
        }
        foreach (var netns in _made)
        {
            await HostCommands.Instance.RunAsync("ip", ["netns", "del", netns], null, CancellationToken.None);
        }
    }

    private static Task<CommandResult> RunAsync(params string[] command) => HostCommands.Instance.RunCheckedAsync(command[0], command[1..], null, CancellationToken.None);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
