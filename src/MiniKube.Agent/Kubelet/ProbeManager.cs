using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Runs the probes of running containers apart from pod syncs, and keeps their latest results
/// (upstream's prober manager and results cache, pkg/kubelet/prober/prober_manager.go). The
/// kubelet calls <see cref="Probe"/> after every relist; each probe still runs on its own
/// period (<see cref="Prober"/> decides what is due). A sync reads <see cref="HealthOf"/> and
/// never probes; when a result changes, <see cref="Changed"/> gets the pod's uid, so readiness
/// reaches the API and a failed liveness probe restarts the container within a relist.
/// At most one check runs per container at a time.
/// </summary>
internal sealed class ProbeManager(Prober prober)
{
    private readonly ConcurrentDictionary<string, ContainerHealth> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _checking = new(StringComparer.Ordinal);
    private ExceptionDispatchInfo? _fault;

    /// <summary>Called with a pod's uid when one of its containers' health changed.</summary>
    public Action<string>? Changed { get; init; }

    /// <summary>
    /// The container's last probed health; before its first probe, ready only when it has
    /// neither a readiness nor a startup probe (upstream's initial readiness is false with one).
    /// </summary>
    public ContainerHealth HealthOf(V1Container spec, string containerId)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return _results.TryGetValue(containerId, out var health) ? health : new ContainerHealth(spec.ReadinessProbe is null && spec.StartupProbe is null, false);
    }

    /// <summary>Starts the due probes of the pod's running app containers (returns without waiting for them).</summary>
    public void Probe(V1Pod pod, string? podIp, IEnumerable<ContainerInfo> containers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        foreach (var container in containers)
        {
            if (container is not { State: ContainerState.Running, Init: false })
            {
                continue;
            }
            var spec = pod.Spec.Containers.FirstOrDefault(c => c.Name == container.Name);
            if (spec is null || (spec.ReadinessProbe is null && spec.LivenessProbe is null && spec.StartupProbe is null))
            {
                continue;
            }
            if (_checking.TryAdd(container.Id, true))
            {
                _ = CheckAsync(pod.Metadata.Uid, spec, container, podIp, cancellationToken);
            }
        }
    }

    /// <summary>Forgets the results of containers that no longer run.</summary>
    public void Retain(ISet<string> runningContainerIds)
    {
        ArgumentNullException.ThrowIfNull(runningContainerIds);
        prober.Retain(runningContainerIds);
        foreach (var id in _results.Keys.Where(id => !runningContainerIds.Contains(id)))
        {
            _results.TryRemove(id, out _);
        }
    }

    /// <summary>Rethrows what a probe failed with that no probe should (a bug): the kubelet stops in order rather than probing no more.</summary>
    public void ThrowIfFaulted() => _fault?.Throw();

    private async Task CheckAsync(string podUid, V1Container spec, ContainerInfo container, string? podIp, CancellationToken cancellationToken)
    {
        try
        {
            var health = await prober.CheckAsync(spec, container, podIp, cancellationToken);
            if (!_results.TryGetValue(container.Id, out var last) || last != health)
            {
                _results[container.Id] = health;
                Changed?.Invoke(podUid);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            // Not swallowed: the relist loop rethrows it (ThrowIfFaulted).
            Interlocked.CompareExchange(ref _fault, ExceptionDispatchInfo.Capture(e), null);
        }
        finally
        {
            _checking.TryRemove(container.Id, out _);
        }
    }
}
