
namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Objects of one kind kept current by a watch on each object that someone refers to, and only
/// those (upstream's watch-based manager, pkg/kubelet/util/manager/watch_based_manager.go, the
/// kubelet's default "Watch" strategy for ConfigMaps and Secrets). A reference is held by an
/// owner (a pod of a node); the object's watch starts with its first reference and stops with
/// its last. Reads come from the watch's cache; a watch that has not listed within
/// <see cref="SyncWait"/> (the API server away) answers with a direct read instead, so a reader
/// sees the same errors as without the cache.
/// </summary>
internal sealed class WatchedObjects<T>(Func<NamespacedName, IListWatch<T>> source, ILogger logger)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>How long a read waits for a new watch's first list.</summary>
    public static readonly TimeSpan SyncWait = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<NamespacedName, ObjectWatch> _watches = [];
    private readonly Dictionary<string, HashSet<NamespacedName>> _owners = new(StringComparer.Ordinal);

    /// <summary>How many objects are watched now.</summary>
    public int WatchCount
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>Makes <paramref name="names"/> the objects <paramref name="owner"/> refers to: new ones start being watched, dropped ones stop when no one else refers to them.</summary>
    public void Track(string owner, IReadOnlySet<NamespacedName> names)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(names);
        lock (_lock)
        {
            var old = _owners.GetValueOrDefault(owner) ?? [];
            if (old.SetEquals(names))
            {
                return;
            }
            foreach (var added in names.Where(n => !old.Contains(n)))
            {
                if (!_watches.TryGetValue(added, out var watch))
                {
                    watch = ObjectWatch.Start(source(added), logger);
                    _watches[added] = watch;
                }
                watch.References++;
            }
            foreach (var dropped in old.Where(n => !names.Contains(n)))
            {
                Unreference(dropped);
            }
            if (names.Count == 0)
            {
                _owners.Remove(owner);
            }
            else
            {
                _owners[owner] = [.. names];
            }
        }
    }

    /// <summary>Drops every reference of <paramref name="owner"/>.</summary>
    public void Release(string owner) => Track(owner, new HashSet<NamespacedName>());

    /// <summary>
    /// The object from its watch's cache (null: it does not exist); when it is not watched or the
    /// watch has not listed yet, what <paramref name="read"/> returns.
    /// </summary>
    public async Task<T?> GetAsync(NamespacedName name, Func<CancellationToken, Task<T?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ObjectWatch? watch;
        lock (_lock)
        {
            watch = _watches.GetValueOrDefault(name);
        }
        if (watch is not null)
        {
            if (watch.Running.IsFaulted)
            {
                await watch.Running; // a bug in the informer: the sync fails loudly
            }
            try
            {
                await watch.Informer.Synced.WaitAsync(SyncWait, cancellationToken);
                return watch.Informer.Get(name.ToString());
            }
            catch (TimeoutException)
            {
                // Not listed yet: read directly (and fail as a read would while the API server is away).
            }
        }
        return await read(cancellationToken);
    }

    private void Unreference(NamespacedName name)
    {
        if (_watches.TryGetValue(name, out var watch) && --watch.References == 0)
        {
            _watches.Remove(name);
            watch.Stop();
        }
    }

    /// <summary>One object's informer, running until its last reference goes.</summary>
    private sealed class ObjectWatch : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private ObjectWatch(Informer<T> informer)
        {
            Informer = informer;
        }

        public Informer<T> Informer { get; }

        public Task Running { get; private set; } = Task.CompletedTask;

        public int References { get; set; }

        public static ObjectWatch Start(IListWatch<T> source, ILogger logger)
        {
            var watch = new ObjectWatch(new Informer<T>(source, logger));
            watch.Running = Task.Run(() => watch.Informer.RunAsync(watch._stop.Token));
            return watch;
        }

        public void Stop()
        {
            _stop.Cancel();
            _ = Running.ContinueWith(_ => Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        public void Dispose() => _stop.Dispose();
    }
}
