using System.Net.Sockets;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>The actions a probe or a lifecycle hook may name; at most one is set.</summary>
internal sealed record HandlerAction(V1ExecAction? Exec, V1HTTPGetAction? HttpGet, V1TCPSocketAction? TcpSocket);

/// <summary>
/// Runs the action of a probe or a lifecycle hook against one container: exec through the
/// runtime (exit code 0 passes), httpGet against the pod IP (200–399 passes, redirects not
/// followed), tcpSocket (a connection passes); each bounded by a timeout.
/// Upstream: pkg/kubelet/prober/prober.go and pkg/kubelet/lifecycle/handlers.go.
/// </summary>
internal sealed class HandlerActions(IContainerRuntime runtime)
{
    // One client for the process: these are plain GETs to pod IPs.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) });

    /// <summary>Whether the action passed within <paramref name="timeout"/> (an action with nothing set passes).</summary>
    public async Task<bool> RunAsync(HandlerAction action, V1Container spec, string containerId, string? podIp, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (action.Exec is { } exec)
            {
                return await runtime.ExecSyncAsync(containerId, [.. exec.Command ?? []], timeout, cancellationToken) == 0;
            }
            if (runtime.Simulated)
            {
                return true; // no process listens on a simulated pod's IP
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            if (action.HttpGet is { } get)
            {
                var host = get.Host ?? podIp ?? "127.0.0.1";
                var uri = new Uri($"{(get.Scheme ?? "HTTP").ToLowerInvariant()}://{host}:{Port(get.Port, spec)}{get.Path ?? "/"}");
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                foreach (var header in get.HttpHeaders ?? [])
                {
                    request.Headers.TryAddWithoutValidation(header.Name, header.Value);
                }
                using var response = await Http.SendAsync(request, deadline.Token);
                return (int)response.StatusCode is >= 200 and < 400;
            }
            if (action.TcpSocket is { } tcp)
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(tcp.Host ?? podIp ?? "127.0.0.1", Port(tcp.Port, spec), deadline.Token);
                return true;
            }
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException or TimeoutException or IOException or RuntimeUnavailableException or InvalidOperationException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            return false;
        }
    }

    /// <summary>A port: a number, or the name of one of the container's ports.</summary>
    private static int Port(IntOrString port, V1Container spec)
    {
        var text = port.Value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }
        return spec.Ports?.FirstOrDefault(p => p.Name == text)?.ContainerPort
            ?? throw new InvalidOperationException($"port \"{text}\" is not a named port of container {spec.Name}");
    }
}
