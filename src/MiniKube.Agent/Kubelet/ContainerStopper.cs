using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Stops a container the way upstream's kubelet does (kuberuntime_container.go killContainer):
/// the preStop hook first (exec, httpGet or sleep), bounded by the grace period; then SIGTERM
/// with what is left of it, never less than 2 s; then SIGKILL. A failing hook does not keep the
/// container alive.
/// </summary>
internal sealed class ContainerStopper(IContainerRuntime runtime, HandlerActions actions, TimeProvider time)
{
    /// <summary>Upstream's minimumGracePeriodInSeconds: SIGTERM always gets this long.</summary>
    private static readonly TimeSpan MinimumGrace = TimeSpan.FromSeconds(2);

    public async Task StopAsync(V1Container? spec, ContainerInfo container, string? podIp, TimeSpan grace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(container);
        var started = time.GetTimestamp();
        if (spec?.Lifecycle?.PreStop is { } hook && container.State == ContainerState.Running)
        {
            await RunHookAsync(hook, spec, container, podIp, grace, cancellationToken);
        }
        var left = grace - time.GetElapsedTime(started);
        await runtime.StopContainerAsync(container.Id, left > MinimumGrace ? left : MinimumGrace, cancellationToken);
    }

    private async Task RunHookAsync(V1LifecycleHandler hook, V1Container spec, ContainerInfo container, string? podIp, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (hook.Sleep is { } sleep)
        {
            var pause = TimeSpan.FromSeconds(Math.Min(sleep.Seconds, grace.TotalSeconds));
            await Task.Delay(pause, time, cancellationToken);
            return;
        }
        await actions.RunAsync(new HandlerAction(hook.Exec, hook.HttpGet, hook.TcpSocket), spec, container.Id, podIp, grace, cancellationToken);
    }
}
