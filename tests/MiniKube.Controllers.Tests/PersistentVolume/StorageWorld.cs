using System.Runtime.CompilerServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Client;

namespace MiniKube.Controllers.Tests.PersistentVolume;

/// <summary>
/// The storage objects a binder or provisioner sync sees, fixed: shared informers listing the
/// given claims, volumes, classes and nodes (and watching nothing), a <see cref="FakeApi"/> that
/// records the writes, and the context to build the controller from.
/// </summary>
internal sealed class StorageWorld : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    public StorageWorld()
    {
        // Deleting a volume or claim answers with the object, as upstream (ReturnDeletedObject).
        var answer = Api.Respond;
        Api.Respond = call => call.Method == "DELETE" ? (System.Net.HttpStatusCode.OK, "{}") : answer(call);
        Informers = new SharedInformers(Api.Client, NullLoggerFactory.Instance);
        Context = new ControllerContext(Api.Client, Informers, NullLoggerFactory.Instance, TimeProvider.System);
    }

    public FakeApi Api { get; } = new();

    public SharedInformers Informers { get; }

    public ControllerContext Context { get; }

    public List<V1PersistentVolumeClaim> Claims { get; } = [];

    public List<V1PersistentVolume> Volumes { get; } = [];

    public List<V1StorageClass> Classes { get; } = [];

    public List<V1Node> Nodes { get; } = [];

    /// <summary>Fixes the lists, runs the informers until they have them, and forgets the calls so far.</summary>
    public async Task StartAsync()
    {
        Informers.For(() => new ListOnly<V1PersistentVolumeClaim>(Claims));
        Informers.For(() => new ListOnly<V1PersistentVolume>(Volumes));
        Informers.For(() => new ListOnly<V1StorageClass>(Classes));
        Informers.For(() => new ListOnly<V1Node>(Nodes));
        _running = Informers.RunAsync(_stop.Token);
        await Informers.WaitForCacheSyncAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Api.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        Api.Dispose();
    }

    public static V1PersistentVolumeClaim Claim(string name, string size, string? storageClass, string? selectedNode = null, string phase = "Pending") => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Uid = "uid-" + name,
            ResourceVersion = "5",
            Annotations = selectedNode is null ? null : new Dictionary<string, string> { ["volume.kubernetes.io/selected-node"] = selectedNode },
        },
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteOnce"],
            StorageClassName = storageClass,
            VolumeMode = "Filesystem",
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) } },
        },
        Status = new V1PersistentVolumeClaimStatus { Phase = phase },
    };

    public static V1PersistentVolume Volume(string name, string size, string? storageClass, string phase = "Available", string? node = null, string[]? accessModes = null) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = new V1ObjectMeta { Name = name, Uid = "uid-" + name, ResourceVersion = "3" },
        Spec = new V1PersistentVolumeSpec
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
            AccessModes = accessModes ?? ["ReadWriteOnce"],
            StorageClassName = storageClass,
            VolumeMode = "Filesystem",
            PersistentVolumeReclaimPolicy = "Retain",
            HostPath = new V1HostPathVolumeSource { Path = "/srv/" + name },
            NodeAffinity = node is null ? null : new V1VolumeNodeAffinity
            {
                Required = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [node] }] }],
                },
            },
        },
        Status = new V1PersistentVolumeStatus { Phase = phase },
    };

    public static V1StorageClass Class(string name, string bindingMode, string provisioner = "rancher.io/local-path") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Provisioner = provisioner,
        VolumeBindingMode = bindingMode,
        ReclaimPolicy = "Delete",
    };

    public static V1Node Node(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
    };

    private sealed class ListOnly<T>(IReadOnlyList<T> items) : IListWatch<T>
        where T : IKubernetesObject<V1ObjectMeta>
    {
        public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<(IReadOnlyList<T>, string)>(([.. items], "1"));

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }
    }
}
