using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace MiniKube.Client.Tests;

/// <summary>A list+watch source the test drives: it sets what a list returns and feeds each watch stream by hand.</summary>
internal sealed class FakeListWatch<T> : IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly Channel<Stream> _watches = Channel.CreateUnbounded<Stream>();

    public IReadOnlyList<T> Items { get; set; } = [];

    public string ResourceVersion { get; set; } = "1";

    public int ListCalls { get; private set; }

    public Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
    {
        ListCalls++;
        return Task.FromResult((Items, ResourceVersion));
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = new Stream(resourceVersion);
        await _watches.Writer.WriteAsync(stream, cancellationToken);
        await foreach (var item in stream.Events.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>The next watch the informer opens.</summary>
    public async Task<Stream> NextWatchAsync() => await _watches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public sealed class Stream(string fromVersion)
    {
        public string FromVersion { get; } = fromVersion;

        public Channel<(WatchEventType Type, T Object)> Events { get; } = Channel.CreateUnbounded<(WatchEventType, T)>();

        public void Send(WatchEventType type, T obj) => Events.Writer.TryWrite((type, obj));

        public void End() => Events.Writer.TryComplete();

        public void Fail(Exception error) => Events.Writer.TryComplete(error);
    }
}

/// <summary>Small pods for cache tests.</summary>
internal static class Pods
{
    public static V1Pod Make(string name, string version, string ns = "default", string? node = null, IDictionary<string, string>? labels = null, string? owner = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            ResourceVersion = version,
            Uid = "uid-" + name,
            Labels = labels,
            OwnerReferences = owner is null ? null : [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner, Uid = "uid-" + owner, Controller = true }],
        },
        Spec = new V1PodSpec { NodeName = node, Containers = [] },
    };
}
