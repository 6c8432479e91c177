using k8s.Models;
using MiniKube.Client;
using MiniKube.Client.Controllers;

namespace MiniKube.Testing;

/// <summary>
/// The storage objects a binder or provisioner sync sees, fixed: shared informers listing the
/// given claims, volumes, classes and nodes (and watching nothing), a <see cref="FakeApi"/> that
/// records the writes, and the context to build the controller from (a
/// <see cref="ControllerHarness"/> seeded from <see cref="Claims"/>, <see cref="Volumes"/>,
/// <see cref="Classes"/> and <see cref="Nodes"/> at <see cref="StartAsync"/>), plus the objects'
/// factories the binder's and the local-path provisioner's tests share.
/// </summary>
public sealed class StorageWorld : IAsyncDisposable
{
    private readonly ControllerHarness _harness = new();

    public FakeApi Api => _harness.Api;

    public SharedInformers Informers => _harness.Informers;

    public ControllerContext Context => _harness.Context;

    public List<V1PersistentVolumeClaim> Claims { get; } = [];

    public List<V1PersistentVolume> Volumes { get; } = [];

    public List<V1StorageClass> Classes { get; } = [];

    public List<V1Node> Nodes { get; } = [];

    /// <summary>Fixes the lists, runs the informers until they have them, and forgets the calls so far.</summary>
    public Task StartAsync() => _harness.Seed([.. Claims]).Seed([.. Volumes]).Seed([.. Classes]).Seed([.. Nodes]).StartAsync();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

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
}
