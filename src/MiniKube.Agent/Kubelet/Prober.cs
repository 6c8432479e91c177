using System.Collections.Concurrent;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>What probing a running container concluded.</summary>
/// <param name="Ready">Readiness (true without a readiness probe).</param>
/// <param name="Kill">Liveness or startup failed past its threshold: restart the container.</param>
internal sealed record ContainerHealth(bool Ready, bool Kill);

/// <summary>
/// Liveness, readiness and startup probes (pkg/kubelet/prober): exec through the runtime,
/// httpGet (200–399 passes) and tcpSocket against the pod IP, each on its own period, after
/// initialDelaySeconds, with timeoutSeconds, successThreshold and failureThreshold. Liveness
/// and readiness wait for the startup probe to pass. Results are kept per container attempt,
/// so a restarted container starts over (not ready, no failures).
/// </summary>
internal sealed class Prober(IContainerRuntime runtime, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string ContainerId, string Kind), ProbeState> _states = new();
    private readonly HandlerActions _actions = new(runtime);

    private sealed class ProbeState
    {
        public DateTimeOffset LastRun { get; set; } = DateTimeOffset.MinValue;

        public int Successes { get; set; }

        public int Failures { get; set; }

        public bool Passed { get; set; }
    }

    public async Task<ContainerHealth> CheckAsync(V1Container spec, ContainerInfo container, string? podIp, CancellationToken cancellationToken)
    {
        var started = container.StartedAt ?? time.GetUtcNow();
        if (spec.StartupProbe is { } startup)
        {
            var state = await RunIfDueAsync("startup", startup, spec, container, podIp, started, cancellationToken);
            if (!state.Passed)
            {
                return new ContainerHealth(false, state.Failures >= (startup.FailureThreshold ?? 3));
            }
        }
        var kill = false;
        if (spec.LivenessProbe is { } liveness)
        {
            var state = await RunIfDueAsync("liveness", liveness, spec, container, podIp, started, cancellationToken);
            kill = state.Failures >= (liveness.FailureThreshold ?? 3);
        }
        var ready = true;
        if (spec.ReadinessProbe is { } readiness)
        {
            ready = (await RunIfDueAsync("readiness", readiness, spec, container, podIp, started, cancellationToken)).Passed;
        }
        return new ContainerHealth(ready, kill);
    }

    /// <summary>Forgets the results of containers that no longer run.</summary>
    public void Retain(ISet<string> runningContainerIds)
    {
        foreach (var key in _states.Keys.Where(k => !runningContainerIds.Contains(k.ContainerId)))
        {
            _states.TryRemove(key, out _);
        }
    }

    private async Task<ProbeState> RunIfDueAsync(string kind, V1Probe probe, V1Container spec, ContainerInfo container, string? podIp, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var state = _states.GetOrAdd((container.Id, kind), _ => new ProbeState());
        var now = time.GetUtcNow();
        if (now < started.AddSeconds(probe.InitialDelaySeconds ?? 0) || now < state.LastRun.AddSeconds(probe.PeriodSeconds ?? 10))
        {
            return state;
        }
        state.LastRun = now;
        if (await ProbeAsync(probe, spec, container, podIp, cancellationToken))
        {
            state.Failures = 0;
            state.Successes++;
            state.Passed |= state.Successes >= (kind == "readiness" ? probe.SuccessThreshold ?? 1 : 1);
        }
        else
        {
            state.Successes = 0;
            state.Failures++;
            if (state.Failures >= (probe.FailureThreshold ?? 3) && kind == "readiness")
            {
                state.Passed = false;
            }
        }
        return state;
    }

    private Task<bool> ProbeAsync(V1Probe probe, V1Container spec, ContainerInfo container, string? podIp, CancellationToken cancellationToken) =>
        _actions.RunAsync(new HandlerAction(probe.Exec, probe.HttpGet, probe.TcpSocket), spec, container.Id, podIp, TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1)), cancellationToken);
}
