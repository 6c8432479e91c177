using System.Buffers;
using System.IO.Pipelines;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.WatchCache;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// Serves a WATCH: one JSON event per line, flushed as it happens (the C# client reads lines).
/// Follows apiserver pkg/endpoints/handlers/watch.go and the cacher's semantics: the events
/// come from the resource's watch cache (<see cref="WatchCaches"/>); with resourceVersion "0"
/// the cache's current matches come first as ADDED, without one (or with sendInitialEvents) a
/// consistent list from the store does; a start older than the store's history is one ERROR
/// event with a 410 Expired Status; an object moving into or out of the selector is ADDED or
/// DELETED; BOOKMARKs only when asked; the stream ends cleanly at timeoutSeconds (30–60
/// minutes when not given, as upstream) and when the watch is cut off for falling behind.
/// </summary>
internal sealed class WatchResponder(ResourceRegistry registry, WatchCaches caches, TimeSpan bookmarkInterval, CancellationToken serverStopping)
{
    public async Task WatchAsync(HttpContext context, ResourceType type, string? ns, ListOptions options, Func<JsonObject, bool>? filter, IWatchEncoder encoder)
    {
        RequestBody.DisableBodyLimits(context);
        // 0 means unset, as upstream; the cap keeps CancelAfter in range.
        var timeout = options.TimeoutSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(Math.Min(seconds, 86_400 * 7)) : TimeSpan.FromMinutes(30 + Random.Shared.Next(30));
        // A watch ends at its timeout, when the client goes, or when the server stops (so shutdown never waits on watchers).
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;
        var writer = context.Response.BodyWriter;
        List<KeyValue> current = [];
        long? start;
        if (options.ResourceVersion is null || options.SendInitialEvents)
        {
            var page = await registry.ListAsync(type, ns, new ListOptions(), filter, context.RequestAborted);
            current.AddRange(page.Items);
            start = page.Revision;
        }
        else
        {
            // "0": whatever the cache holds now, as ADDED events from the stream itself.
            start = options.ResourceVersion == "0" ? null : options.Revision;
        }
        WatchStream stream;
        try
        {
            stream = await caches.WatchAsync(type, ns, start, filter, token);
        }
        catch (CompactedException e)
        {
            await StartAsync(context);
            await WriteErrorAsync(writer, ApiException.Expired($"too old resource version: {options.Revision} ({e.CompactRevision})"), context.RequestAborted);
            return;
        }
        catch (FutureRevisionException)
        {
            throw ApiException.TooLargeResourceVersion(options.Revision, await registry.Store.GetCurrentRevisionAsync(context.RequestAborted));
        }
        Task<bool>? next = null;
        try
        {
            await StartAsync(context);
            foreach (var kv in current)
            {
                await WriteEventAsync(writer, encoder, "ADDED", kv.Value, kv.ModRevision, context.RequestAborted);
            }
            if (options.SendInitialEvents)
            {
                await WriteBookmarkAsync(writer, type, start ?? 0, initialEventsEnd: true, context.RequestAborted);
            }
            await writer.FlushAsync(context.RequestAborted);
            while (true)
            {
                if (stream.TryRead(out var item))
                {
                    await WriteEventAsync(writer, encoder, item.Type, item.Kv.Value, item.Revision, context.RequestAborted);
                    continue;
                }
                // Flush only when no further event is ready, so a burst goes out in few writes.
                await writer.FlushAsync(context.RequestAborted);
                next ??= stream.WaitToReadAsync(token).AsTask();
                if (options.AllowWatchBookmarks && !await CompletesWithinAsync(next, bookmarkInterval, token))
                {
                    await WriteBookmarkAsync(writer, type, stream.ProgressRevision(), initialEventsEnd: false, context.RequestAborted);
                    continue;
                }
                var more = await next;
                next = null;
                if (!more)
                {
                    // Cut off for falling behind, or the cache started over: closing makes the client watch again from its last version.
                    await writer.FlushAsync(context.RequestAborted);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
        {
            // timeoutSeconds reached: end the stream cleanly, with a final bookmark if asked.
            if (options.AllowWatchBookmarks)
            {
                await WriteBookmarkAsync(writer, type, stream.ProgressRevision(), initialEventsEnd: false, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || serverStopping.IsCancellationRequested)
        {
            // The client went away, or the server is stopping.
        }
        catch (WatchLaggedException)
        {
            // Cut off by the store for falling behind: closing makes the client watch again from its last version.
        }
        catch (CompactedException e)
        {
            await WriteErrorAsync(writer, ApiException.Expired($"too old resource version: {stream.LastRead} ({e.CompactRevision})"), context.RequestAborted);
        }
        finally
        {
            if (next is { IsCompleted: false })
            {
                await timeoutSource.CancelAsync();
                await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await stream.DisposeAsync();
        }
    }

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="interval"/>; true when it finished.</summary>
    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(interval, timer.Token);
        var finished = await Task.WhenAny(task, delay);
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return finished == task;
    }

    private static async Task StartAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(context.RequestAborted);
    }

    private static async Task WriteEventAsync(PipeWriter writer, IWatchEncoder encoder, string type, byte[] stored, long revision, CancellationToken cancellationToken)
    {
        ResponseWriter.Write(writer, $"{{\"type\":\"{type}\",\"object\":");
        encoder.WriteObject(writer, stored, revision);
        writer.Write("}\n"u8);
        if (writer.UnflushedBytes > 64 * 1024)
        {
            await writer.FlushAsync(cancellationToken);
        }
    }

    private static async Task WriteBookmarkAsync(PipeWriter writer, ResourceType type, long revision, bool initialEventsEnd, CancellationToken cancellationToken)
    {
        var metadata = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }
        var bookmark = new JsonObject
        {
            ["type"] = "BOOKMARK",
            ["object"] = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.GroupVersion, ["metadata"] = metadata },
        };
        ResponseWriter.Write(writer, bookmark.ToJsonString(MiniKube.ApiServer.Registry.ObjectCodec.Compact) + "\n");
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task WriteErrorAsync(PipeWriter writer, ApiException error, CancellationToken cancellationToken)
    {
        var ev = new JsonObject { ["type"] = "ERROR", ["object"] = StatusResponses.Failure(error) };
        ResponseWriter.Write(writer, ev.ToJsonString(MiniKube.ApiServer.Registry.ObjectCodec.Compact) + "\n");
        await writer.FlushAsync(cancellationToken);
    }
}

/// <summary>How a watch renders each event's object: the object itself, or a one-row Table.</summary>
internal interface IWatchEncoder
{
    void WriteObject(IBufferWriter<byte> writer, byte[] stored, long revision);
}

/// <summary>Events carry the objects as stored, with their resourceVersion.</summary>
internal sealed class ObjectWatchEncoder : IWatchEncoder
{
    public static readonly ObjectWatchEncoder Instance = new();

    public void WriteObject(IBufferWriter<byte> writer, byte[] stored, long revision) => ObjectCodec.WriteWithVersion(writer, stored, revision);
}
