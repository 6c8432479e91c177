using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client;

/// <summary>How an informer lists (returning the list's resourceVersion) and watches one kind.</summary>
/// <typeparam name="T">The k8s.Models kind.</typeparam>
public interface IListWatch<T>
    where T : IKubernetesObject<V1ObjectMeta>
{
    Task<(IReadOnlyList<T> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken);

    /// <summary>Changes after <paramref name="resourceVersion"/>; ends when the server closes the stream, throws <see cref="KubernetesException"/> on an ERROR event (410: re-list).</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}

/// <summary>
/// client-go's reflector and store in one (tools/cache/reflector.go): lists, then watches from
/// the list's version, re-watches when a stream ends, re-lists when the version is too old,
/// and keeps a local cache by namespace/name. Each change calls <see cref="Changed"/> with the
/// object's key; handlers only enqueue, never work (work reads the cache later).
/// Cached objects are shared: never mutate one — copy it first.
/// </summary>
public sealed partial class Informer<T>(IListWatch<T> source, ILogger logger)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> _cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called with the key of every object that was added, changed or deleted.</summary>
    public event Action<string>? Changed;

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task Synced => _synced.Task;

    public T? Get(string key) => _cache.GetValueOrDefault(key);

    public IReadOnlyCollection<T> List() => [.. _cache.Values];

    public IReadOnlyCollection<string> Keys => [.. _cache.Keys];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var version = await ListIntoCacheAsync(cancellationToken);
                backoff = TimeSpan.FromMilliseconds(200);
                // Watch until the version expires; each clean end of a stream just re-watches.
                while (!cancellationToken.IsCancellationRequested)
                {
                    await foreach (var (type, obj) in source.WatchAsync(version, cancellationToken))
                    {
                        version = obj.Metadata.ResourceVersion ?? version;
                        Apply(type, obj);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubernetesException e) when (e.Status?.Code == 410)
            {
                LogRelist(typeof(T).Name);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or KubernetesException or k8s.Autorest.HttpOperationException or TimeoutException or OperationCanceledException)
            {
                LogRetry(typeof(T).Name, e.Message, backoff.TotalMilliseconds);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    private async Task<string> ListIntoCacheAsync(CancellationToken cancellationToken)
    {
        var (items, version) = await source.ListAsync(cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = ObjectKeys.Of(item);
            seen.Add(key);
            if (!_cache.TryGetValue(key, out var old) || old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                _cache[key] = item;
                Changed?.Invoke(key);
            }
        }
        foreach (var gone in _cache.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _cache.TryRemove(gone, out _);
            Changed?.Invoke(gone);
        }
        _synced.TrySetResult();
        return version;
    }

    private void Apply(WatchEventType type, T obj)
    {
        var key = ObjectKeys.Of(obj);
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                _cache[key] = obj;
                break;
            case WatchEventType.Deleted:
                _cache.TryRemove(key, out _);
                break;
            default:
                return; // bookmarks carry only a version
        }
        Changed?.Invoke(key);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "{Kind} watch expired; listing again")]
    private partial void LogRelist(string kind);

    [LoggerMessage(EventId = 501, Level = LogLevel.Warning, Message = "{Kind} list/watch failed ({Reason}); retrying in {DelayMs} ms")]
    private partial void LogRetry(string kind, string reason, double delayMs);
}

/// <summary>The cache key of an object: "namespace/name", or "name" for cluster-scoped kinds.</summary>
public static class ObjectKeys
{
    public static string Of(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return obj.Metadata.NamespaceProperty is { Length: > 0 } ns ? $"{ns}/{obj.Metadata.Name}" : obj.Metadata.Name;
    }
}
