using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// A runtime that counts the kubelet's listings and passes everything on to another; with
/// <see cref="WaitsForPodCidr"/> it plays a runtime that wires pods itself, whose network is not
/// ready until the kubelet hands it a podCIDR; with <see cref="ImageStatus"/> and <see cref="PullImage"/>
/// it plays a node's images and a registry.
/// </summary>
internal sealed class CountingRuntime(IContainerRuntime inner) : IContainerRuntime
{
    public const string NoPodCidr = "no podCIDR yet";

    private int _podLists;
    private int _otherLists;

    /// <summary>Relists (<see cref="ListPodsAsync"/>).</summary>
    public int PodLists => Volatile.Read(ref _podLists);

    /// <summary><see cref="ListContainersAsync"/> and <see cref="ListSandboxesAsync"/> calls.</summary>
    public int OtherLists => Volatile.Read(ref _otherLists);

    public bool Simulated => inner.Simulated;

    /// <summary>The network is not ready (<see cref="NoPodCidr"/>) until <see cref="UpdatePodCidrAsync"/>.</summary>
    public bool WaitsForPodCidr { get; init; }

    /// <summary>The podCIDR the kubelet handed over last, if any.</summary>
    public System.Net.IPNetwork? PodCidr { get; private set; }

    public string? NetworkProblem => WaitsForPodCidr && PodCidr is null ? NoPodCidr : inner.NetworkProblem;

    public async Task UpdatePodCidrAsync(System.Net.IPNetwork podCidr, CancellationToken cancellationToken)
    {
        await inner.UpdatePodCidrAsync(podCidr, cancellationToken);
        PodCidr = podCidr;
    }

    public Task CollectGarbageAsync(CancellationToken cancellationToken) => inner.CollectGarbageAsync(cancellationToken);

    public Task<RuntimePods> ListPodsAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _podLists);
        return inner.ListPodsAsync(cancellationToken);
    }

    public Task<IReadOnlyList<ContainerInfo>> ListContainersAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _otherLists);
        return inner.ListContainersAsync(cancellationToken);
    }

    public Task<IReadOnlyList<PodSandbox>> ListSandboxesAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _otherLists);
        return inner.ListSandboxesAsync(cancellationToken);
    }

    public Task<RuntimeStatus> StatusAsync(CancellationToken cancellationToken) => inner.StatusAsync(cancellationToken);

    public Task<MiniKube.Agent.Runtime.Stats.ResourceUsage> NodeUsageAsync(CancellationToken cancellationToken) => inner.NodeUsageAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, MiniKube.Agent.Runtime.Stats.ResourceUsage>> ContainerUsageAsync(IReadOnlyList<ContainerInfo> containers, CancellationToken cancellationToken) =>
        inner.ContainerUsageAsync(containers, cancellationToken);

    /// <summary>Plays the images a node has (null: the inner runtime's).</summary>
    public Func<string, Task<ImageInfo?>>? ImageStatus { get; init; }

    /// <summary>Plays a registry (null: the inner runtime's pull).</summary>
    public Func<string, RegistryCredential?, Task<ImageInfo>>? PullImage { get; init; }

    public Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken) =>
        ImageStatus?.Invoke(image) ?? inner.ImageStatusAsync(image, cancellationToken);

    public Task<ImageInfo> PullImageAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken) =>
        PullImage?.Invoke(image, credential) ?? inner.PullImageAsync(image, credential, cancellationToken);

    public Task<IReadOnlyList<string>> ImportImagesAsync(string directory, CancellationToken cancellationToken) => inner.ImportImagesAsync(directory, cancellationToken);

    public Task<PodSandbox> RunSandboxAsync(SandboxConfig config, CancellationToken cancellationToken) => inner.RunSandboxAsync(config, cancellationToken);

    public Task StopSandboxAsync(string sandboxId, CancellationToken cancellationToken) => inner.StopSandboxAsync(sandboxId, cancellationToken);

    public Task RemoveSandboxAsync(string sandboxId, CancellationToken cancellationToken) => inner.RemoveSandboxAsync(sandboxId, cancellationToken);

    /// <summary>Every container config the kubelet created a container from, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<ContainerConfig> Created { get; } = new();

    public Task<string> CreateContainerAsync(PodSandbox sandbox, ContainerConfig config, CancellationToken cancellationToken)
    {
        Created.Enqueue(config);
        return inner.CreateContainerAsync(sandbox, config, cancellationToken);
    }

    public Task StartContainerAsync(string containerId, CancellationToken cancellationToken) => inner.StartContainerAsync(containerId, cancellationToken);

    public Task StopContainerAsync(string containerId, TimeSpan grace, CancellationToken cancellationToken) => inner.StopContainerAsync(containerId, grace, cancellationToken);

    public Task RemoveContainerAsync(string containerId, CancellationToken cancellationToken) => inner.RemoveContainerAsync(containerId, cancellationToken);

    public Task<int> ExecSyncAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) => inner.ExecSyncAsync(containerId, command, timeout, cancellationToken);

    public Task<Stream> LogsAsync(string containerId, LogOptions options, CancellationToken cancellationToken) => inner.LogsAsync(containerId, options, cancellationToken);

    public Task<IProcessStreams> ExecAsync(string containerId, StreamRequest request, CancellationToken cancellationToken) => inner.ExecAsync(containerId, request, cancellationToken);

    public Task<IProcessStreams> AttachAsync(string containerId, StreamRequest request, CancellationToken cancellationToken) => inner.AttachAsync(containerId, request, cancellationToken);

    public Task<Stream> PortForwardAsync(PodSandbox sandbox, int port, CancellationToken cancellationToken) => inner.PortForwardAsync(sandbox, port, cancellationToken);
}
