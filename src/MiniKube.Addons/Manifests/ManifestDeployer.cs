using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s.Autorest;
using MiniKube.Client.Events;

namespace MiniKube.Addons.Manifests;

/// <summary>
/// k3s' deploy controller (pkg/deploy/controller.go), with removal: applies every manifest of
/// <see cref="ManifestOptions.Directory"/> (see <see cref="ManifestFiles"/>) at start and
/// whenever the directory changes (a file watcher, debounced, and a full pass every
/// <see cref="ManifestOptions.Resync"/> in case the watcher missed something), by server-side
/// apply with conflicts forced under its own field manager. What each file applied is recorded
/// in kube-system (<see cref="ManifestRecords"/>); objects a file no longer declares (a document
/// removed, the file removed or given a <c>.skip</c>) are deleted, unless another file declares
/// them. Failures are Warning events on the file's record and one log line each, and never stop
/// the loop: the file's other documents still apply, and failures that may pass (a namespace or
/// a kind not there yet, the API unreachable) are retried with back-off. A file applies again
/// only when its content changed, or after a failure worth retrying; every file applies at start.
/// One pass at a time, on one loop.
/// </summary>
public sealed partial class ManifestDeployer
{
    private static readonly TimeSpan KindPoll = TimeSpan.FromMilliseconds(250);

    private readonly IKubernetes _client;
    private readonly ManifestOptions _options;
    private readonly ILogger _logger;
    private readonly ManifestApi _api;
    private readonly EventRecorder _events;

    // Files applied with nothing left to retry, by path: the checksum applied. Empty at start, so every file applies once.
    private readonly Dictionary<string, string> _settled = new(StringComparer.Ordinal);

    public ManifestDeployer(IKubernetes client, ManifestOptions options, ILogger<ManifestDeployer> logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _api = new ManifestApi(client, options.FieldManager);
        _events = new EventRecorder(client, new EventRecorderOptions { Component = options.FieldManager, Time = options.Time }, logger);
    }

    /// <summary>Runs until stopped; API failures are retried, never thrown.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Made for the operator (k3s makes its manifests directory too); a pass copes without it.
            Directory.CreateDirectory(_options.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogRetrying($"creating {_options.Directory}", e.Message);
        }
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = Watch(changes.Writer);
        var events = _events.RunAsync(cancellationToken);
        var retryDelay = _options.RetryDelay;
        try
        {
            while (true)
            {
                var retry = await PassAsync(cancellationToken);
                retryDelay = retry ? TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, _options.Resync.Ticks)) : _options.RetryDelay;
                await WaitAsync(changes.Reader, retry ? retryDelay / 2 : _options.Resync, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        await events;
    }

    /// <summary>One pass over the directory; true when something failed that is worth retrying soon.</summary>
    public async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ManifestFile> files;
        try
        {
            files = ManifestFiles.Scan(_options.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing is removed on a directory that cannot be read: its files may all still be there.
            LogRetrying($"reading {_options.Directory}", e.Message);
            return true;
        }
        try
        {
            return await SyncAsync(files, cancellationToken);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogRetrying("a pass over the directory", e is HttpOperationException api ? ApiErrors.StatusMessage(api) : e.Message);
            return true;
        }
    }

    /// <summary>A file or the directory could not be read (nothing is deleted on its account), or the API server could not be reached: retried.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 307, Level = LogLevel.Warning, Message = "Manifests: {What} failed: {Reason}; retrying")]
    private partial void LogRetrying(string what, string reason);

    private async Task<bool> SyncAsync(IReadOnlyList<ManifestFile> files, CancellationToken cancellationToken)
    {
        _api.ForgetDiscovery();
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(ManifestRecords.Namespace, labelSelector: ManifestRecords.Selector, cancellationToken: cancellationToken);
        var records = list.Items.Where(r => ManifestRecords.Source(r) is not null)
            .GroupBy(r => ManifestRecords.Source(r)!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var outcomes = new List<FileOutcome>();
        foreach (var file in files)
        {
            outcomes.Add(await ApplyFileAsync(file, records.GetValueOrDefault(file.RelativePath), cancellationToken));
        }
        var retry = outcomes.Any(o => o.Retry);
        var declared = outcomes.SelectMany(o => o.Next).Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var outcome in outcomes.Where(o => o.Applied))
        {
            var orphans = ManifestPlan.Orphans(outcome.Previous, outcome.Next, declared);
            var left = await DeleteAsync(outcome.File.RelativePath, orphans, cancellationToken);
            await WriteRecordAsync(outcome.File.RelativePath, outcome.Next.Concat(left), cancellationToken);
            retry |= left.Count > 0;
        }
        var active = files.Select(f => f.RelativePath).ToHashSet(StringComparer.Ordinal);
        foreach (var (source, record) in records.Where(r => !active.Contains(r.Key) && ManifestRecords.Server(r.Value) == _options.Server))
        {
            retry |= !await RemoveAsync(source, record, declared, cancellationToken);
        }
        return retry;
    }

    private async Task<FileOutcome> ApplyFileAsync(ManifestFile file, V1ConfigMap? record, CancellationToken cancellationToken)
    {
        var path = file.RelativePath;
        var previous = ManifestRecords.Objects(record);
        string content;
        try
        {
            content = await File.ReadAllTextAsync(file.FullPath, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed or replaced while we read: the next pass sees what it became.
            LogRetrying($"reading {path}", e.Message);
            return new FileOutcome(file, previous, previous, Applied: false, Retry: true);
        }
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        if (record is not null && _settled.GetValueOrDefault(path) == checksum)
        {
            return new FileOutcome(file, previous, previous, Applied: false, Retry: false);
        }
        var parsed = ManifestParser.Parse(path, content);
        var (resolved, unserved) = await ResolveAsync(ManifestPlan.ApplyOrder(parsed.Objects), cancellationToken);
        // Recorded before applying, so objects made by an apply that is cut short are still known.
        var target = await WriteRecordAsync(path, previous.Concat(resolved.Select(r => r.Ref)), cancellationToken);
        foreach (var error in parsed.Errors)
        {
            Report(target, "ParseManifestFailed", $"Parse manifest at \"{path}\" failed: document {error.Document}: {error.Reason}");
            LogInvalidDocument(path, error.Document, error.Reason);
        }
        var retry = !await ApplyAllAsync(path, target, resolved, cancellationToken);
        if (unserved.Count > 0 && resolved.Any(r => r.Ref.Kind == "CustomResourceDefinition"))
        {
            // The file made kinds its later documents use: give the API server a moment to serve them.
            (var late, unserved) = await AwaitKindsAsync(unserved, cancellationToken);
            resolved.AddRange(late);
            retry |= !await ApplyAllAsync(path, target, late, cancellationToken);
        }
        foreach (var waiting in unserved)
        {
            Report(target, "ApplyManifestFailed", $"Applying {waiting.Kind} {waiting.Name} (document {waiting.Document}) from manifest at \"{path}\" failed: no kind {waiting.Kind} is served in {waiting.ApiVersion}");
            LogKindNotServed(path, waiting.Document, waiting.Kind, waiting.ApiVersion);
        }
        retry |= unserved.Count > 0;
        if (parsed.Errors.Count == 0 && unserved.Count == 0 && !retry)
        {
            _events.Record(target, EventTypes.Normal, "AppliedManifest", $"Applied manifest at \"{path}\" ({resolved.Count} objects)");
        }
        LogApplied(path, resolved.Count, parsed.Errors.Count + unserved.Count);
        if (retry)
        {
            _settled.Remove(path);
        }
        else
        {
            _settled[path] = checksum;
        }
        var next = ManifestPlan.NextRecord(resolved.Select(r => r.Ref), previous, incomplete: parsed.Errors.Count > 0 || unserved.Count > 0);
        return new FileOutcome(file, previous, next, Applied: true, retry);
    }

    /// <summary>A file was applied; the failed documents have their own lines.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 300, Level = LogLevel.Information, Message = "Applied manifest {File}: {Applied} objects, {Failed} documents not applied")]
    private partial void LogApplied(string file, int applied, int failed);

    /// <summary>A document cannot be read: fix the file, the rest of it applies meanwhile.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 301, Level = LogLevel.Warning, Message = "Manifest {File}, document {Document}, is invalid and not applied: {Reason}")]
    private partial void LogInvalidDocument(string file, int document, string reason);

    private async Task<(List<Resolved> Resolved, List<ManifestObject> Unserved)> ResolveAsync(IEnumerable<ManifestObject> objects, CancellationToken cancellationToken)
    {
        var resolved = new List<Resolved>();
        var unserved = new List<ManifestObject>();
        foreach (var item in objects)
        {
            if (await _api.ResourceAsync(item.ApiVersion, item.Kind, cancellationToken) is { } resource)
            {
                resolved.Add(Resolve(item, resource));
            }
            else
            {
                unserved.Add(item);
            }
        }
        return (resolved, unserved);
    }

    // A namespaced object without a namespace goes to "default" (kubectl's default context); a cluster-scoped one drops any it carries, as kubectl does.
    private static Resolved Resolve(ManifestObject item, V1APIResource resource)
    {
        var ns = resource.Namespaced ? item.Namespace ?? "default" : "";
        var body = item.Body.DeepClone().AsObject();
        var metadata = body["metadata"]!.AsObject();
        if (resource.Namespaced)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }
        return new Resolved(item, new ManifestObjectRef(item.ApiVersion, item.Kind, ns, item.Name), resource, body);
    }

    private async Task<(List<Resolved> Late, List<ManifestObject> Unserved)> AwaitKindsAsync(List<ManifestObject> unserved, CancellationToken cancellationToken)
    {
        var late = new List<Resolved>();
        var deadline = _options.Time.GetUtcNow() + _options.KindWait;
        while (unserved.Count > 0 && _options.Time.GetUtcNow() < deadline)
        {
            await Task.Delay(KindPoll, _options.Time, cancellationToken);
            _api.ForgetDiscovery();
            var (found, still) = await ResolveAsync(unserved, cancellationToken);
            late.AddRange(found);
            unserved = still;
        }
        return (late, unserved);
    }

    /// <summary>No resource serves the kind (a CRD not installed yet): retried with back-off.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 303, Level = LogLevel.Warning, Message = "Manifest {File}, document {Document}: no kind {Kind} is served in {ApiVersion}; retrying")]
    private partial void LogKindNotServed(string file, int document, string kind, string apiVersion);

    /// <summary>Applies each object; false when a failure is worth retrying.</summary>
    private async Task<bool> ApplyAllAsync(string path, V1ConfigMap record, IEnumerable<Resolved> objects, CancellationToken cancellationToken)
    {
        var settled = true;
        foreach (var item in objects)
        {
            try
            {
                await _api.ApplyAsync(item.Ref, item.Resource, item.Body, cancellationToken);
            }
            catch (HttpOperationException e)
            {
                var reason = ManifestFailures.Describe(e, item.Ref);
                Report(record, "ApplyManifestFailed", $"Applying {item.Ref} (document {item.Object.Document}) from manifest at \"{path}\" failed: {reason}");
                LogRefused(path, item.Object.Document, item.Ref, reason);
                settled &= !ManifestFailures.IsWorthRetrying(e);
            }
        }
        return settled;
    }

    /// <summary>The API server refused an object: the reason is the API server's, as kubectl would print it.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 302, Level = LogLevel.Warning, Message = "Manifest {File}, document {Document}: the API server refused {Object}: {Reason}")]
    private partial void LogRefused(string file, int document, ManifestObjectRef @object, string reason);

    /// <summary>Deletes <paramref name="objects"/>; returns those that could not be deleted (kept in the record, retried).</summary>
    private async Task<List<ManifestObjectRef>> DeleteAsync(string path, IEnumerable<ManifestObjectRef> objects, CancellationToken cancellationToken)
    {
        var left = new List<ManifestObjectRef>();
        foreach (var item in objects)
        {
            try
            {
                await _api.DeleteAsync(item, cancellationToken);
                LogDeleted(item, path);
            }
            catch (HttpOperationException e)
            {
                var reason = ManifestFailures.Describe(e, item);
                LogDeleteFailed(item, path, reason);
                left.Add(item);
            }
        }
        return left;
    }

    /// <summary>A document was removed from its file: its object is deleted.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 304, Level = LogLevel.Information, Message = "Deleted {Object}, which manifest {File} no longer declares")]
    private partial void LogDeleted(ManifestObjectRef @object, string file);

    /// <summary>An object to delete could not be: it stays in the record and the delete is retried.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 305, Level = LogLevel.Warning, Message = "Deleting {Object}, which manifest {File} no longer declares, failed: {Reason}; retrying")]
    private partial void LogDeleteFailed(ManifestObjectRef @object, string file, string reason);

    /// <summary>The file is gone (or skipped): deletes what it made, then its record; true when done.</summary>
    private async Task<bool> RemoveAsync(string path, V1ConfigMap record, HashSet<string> declared, CancellationToken cancellationToken)
    {
        _settled.Remove(path);
        var objects = ManifestRecords.Objects(record);
        var left = await DeleteAsync(path, objects.Where(o => !declared.Contains(o.Key)), cancellationToken);
        if (left.Count > 0)
        {
            await WriteRecordAsync(path, left, cancellationToken);
            return false;
        }
        try
        {
            await _client.CoreV1.DeleteNamespacedConfigMapAsync(record.Metadata.Name, ManifestRecords.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            // Deleted by hand meanwhile.
        }
        LogRemoved(path, objects.Count);
        return true;
    }

    /// <summary>A file was removed or skipped: what it applied is deleted, then its record.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 306, Level = LogLevel.Information, Message = "Manifest {File} is gone or skipped: the {Count} objects it applied are deleted")]
    private partial void LogRemoved(string file, int count);

    private Task<V1ConfigMap> WriteRecordAsync(string path, IEnumerable<ManifestObjectRef> objects, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(ManifestRecords.Build(path, _options.Server, objects).ToJsonString(), V1Patch.PatchType.ApplyPatch),
            ManifestRecords.NameFor(path), ManifestRecords.Namespace, fieldManager: _options.FieldManager, force: true, cancellationToken: cancellationToken);

    private void Report(V1ConfigMap record, string reason, string message) => _events.Record(record, EventTypes.Warning, reason, message);

    private FileSystemWatcher? Watch(ChannelWriter<bool> changes)
    {
        try
        {
            var watcher = new FileSystemWatcher(_options.Directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Created += (_, _) => changes.TryWrite(true);
            watcher.Changed += (_, _) => changes.TryWrite(true);
            watcher.Deleted += (_, _) => changes.TryWrite(true);
            watcher.Renamed += (_, _) => changes.TryWrite(true);
            // An overflow lost events: a pass reads everything anyway.
            watcher.Error += (_, _) => changes.TryWrite(true);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches, say: the periodic pass still finds every change, only later.
            LogNoWatcher(_options.Directory, _options.Resync, e.Message);
            return null;
        }
    }

    /// <summary>No file watcher (e.g. out of inotify watches): changes are found by the periodic pass only.</summary>
    [LoggerMessage(EventId = LogEvents.Addons + 309, Level = LogLevel.Warning, Message = "Manifests: cannot watch {Directory} ({Reason}); changes are picked up by the pass every {Resync}")]
    private partial void LogNoWatcher(string directory, TimeSpan resync, string reason);

    // Waits for a change (then until the directory has been quiet for the debounce) or for the timeout.
    private async Task WaitAsync(ChannelReader<bool> changes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var changed = changes.WaitToReadAsync(waiting.Token).AsTask();
            var first = await Task.WhenAny(changed, Task.Delay(timeout, _options.Time, waiting.Token));
            await waiting.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            if (first != changed)
            {
                return;
            }
        }
        do
        {
            await Task.Delay(_options.Debounce, _options.Time, cancellationToken);
        }
        while (changes.TryRead(out _));
    }

    private sealed record Resolved(ManifestObject Object, ManifestObjectRef Ref, V1APIResource Resource, JsonObject Body);

    /// <param name="Previous">What the record listed before this pass.</param>
    /// <param name="Next">What it lists once this pass is done (before deletions that fail).</param>
    /// <param name="Applied">Whether the file was applied in this pass (else it was unchanged).</param>
    private sealed record FileOutcome(ManifestFile File, IReadOnlyList<ManifestObjectRef> Previous, IReadOnlyList<ManifestObjectRef> Next, bool Applied, bool Retry);
}
