
namespace MiniKube.Scheduler.Cluster;

/// <summary>
/// The one seam between the scheduler and the client machinery: a cached, watched set of objects
/// of one kind that says which key changed. The scheduler reads the latest object by key on each
/// change (level-triggered), so any informer — today <see cref="MiniKube.Client.Informer{T}"/>,
/// later a shared one — fits behind it. Objects handed out are shared: never mutate them.
/// </summary>
internal interface IObjectSource<T>
    where T : class
{
    /// <summary>Raised with the key of every added, changed or deleted object; handlers must be quick.</summary>
    event Action<string>? Changed;

    /// <summary>Completes once the first list is in.</summary>
    Task Synced { get; }

    T? Get(string key);

    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>An <see cref="IObjectSource{T}"/> over MiniKube.Client's informer.</summary>
internal sealed class InformerSource<T>(MiniKube.Client.Informer<T> informer) : IObjectSource<T>
    where T : class, k8s.IKubernetesObject<V1ObjectMeta>
{
    public event Action<string>? Changed
    {
        add => informer.Changed += value;
        remove => informer.Changed -= value;
    }

    public Task Synced => informer.Synced;

    public T? Get(string key) => informer.Get(key);

    public Task RunAsync(CancellationToken cancellationToken) => informer.RunAsync(cancellationToken);
}
