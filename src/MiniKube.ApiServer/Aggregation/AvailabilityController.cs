using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Aggregation;

/// <summary>
/// Keeps the Available condition of every service-backed APIService true or false, as
/// kube-aggregator's available_controller.go does in each API server: the Service must exist
/// (ServiceNotFound), a ClusterIP Service must have the port (ServicePortError) and an Endpoints
/// object (EndpointsNotFound) with an address on that port's name (MissingEndpoints), and a GET
/// of <c>/apis/&lt;group&gt;/&lt;version&gt;</c> on an endpoint must answer 2xx or 3xx within
/// 5 s (FailedDiscoveryCheck, with the error as message); else True, reason Passed. That check
/// trusts any certificate, as upstream's (it proves reachability, not identity; the proxy
/// verifies). Level-triggered: an APIService is checked when it, its Service or its Endpoints
/// change (seen by a 1 s look at the watch cache, in place of informers) and every 30 s; the
/// status is written only when it differs, lastTransitionTime moving only when status does.
/// Each check also refreshes the group-version's discovery.
/// </summary>
public sealed partial class AvailabilityController(
    ApiServiceSnapshot apiServices, CachedReads reads, ResourceRegistry registry, ServiceTransports insecureTransports, IServiceResolver resolver,
    RemoteDiscovery discovery, AggregationOptions options, ILogger<AvailabilityController> logger)
{
    private static readonly ResourceType ApiServices = ResourceCatalog.Find("apiregistration.k8s.io", "v1", "apiservices")!;
    private static readonly ResourceType Services = ResourceCatalog.Find("", "v1", "services")!;
    private static readonly ResourceType Endpoints = ResourceCatalog.Find("", "v1", "endpoints")!;

    private readonly Dictionary<string, (string Signature, long CheckedAt)> _checked = new(StringComparer.Ordinal);

    /// <summary>Runs until <paramref name="stopping"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await PassAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StoreUnavailableException or ApiException or CompactedException or FormatException or JsonException or InvalidOperationException)
            {
                // The store is away, a write lost a race, or a stored object did not read: the next pass tries again.
                LogPassFailed(e.Message);
            }
            try
            {
                await Task.Delay(options.PollInterval, registry.Clock, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Checks what changed or is due, all at once (a slow extension server does not hold up the others).</summary>
    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var current = await apiServices.CurrentAsync(cancellationToken);
        var remote = current.Where(a => a.Service is not null).ToList();
        var now = Stopwatch.GetTimestamp();
        var due = new List<(ApiServiceInfo, string)>();
        foreach (var apiService in remote)
        {
            var signature = await SignatureAsync(apiService, cancellationToken);
            if (!_checked.TryGetValue(apiService.Name, out var last) || last.Signature != signature
                || Stopwatch.GetElapsedTime(last.CheckedAt, now) >= options.ResyncInterval)
            {
                due.Add((apiService, signature));
            }
        }
        var names = remote.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _checked.Keys.Where(n => !names.Contains(n)).ToList())
        {
            _checked.Remove(gone);
        }
        discovery.Retain(names);
        var results = await Task.WhenAll(due.Select(async d => (d.Item1.Name, Revision: await SyncAsync(d.Item1, cancellationToken), Signature: d.Item2)));
        foreach (var (name, revision, signature) in results)
        {
            // A status write moves the APIService's own version: remember the one we wrote, so it is not a change.
            var mine = revision is { } written
                ? written.ToString(CultureInfo.InvariantCulture) + signature[signature.IndexOf('/', StringComparison.Ordinal)..]
                : signature;
            _checked[name] = (mine, now);
        }
    }

    /// <summary>Checks one APIService and writes its condition if it changed; returns the new version when it wrote.</summary>
    public async Task<long?> SyncAsync(ApiServiceInfo apiService, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiService);
        var condition = await CheckAsync(apiService, cancellationToken);
        if (condition.Status == "True")
        {
            await discovery.RefreshAsync(apiService, cancellationToken);
        }
        return await WriteAsync(apiService.Name, condition, cancellationToken);
    }

    private async Task<string> SignatureAsync(ApiServiceInfo apiService, CancellationToken cancellationToken)
    {
        var service = apiService.Service!;
        var svc = await reads.GetAsync(Services, service.Namespace, service.Name, cancellationToken);
        var endpoints = await reads.GetAsync(Endpoints, service.Namespace, service.Name, cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"{apiService.Revision}/{svc?.ModRevision ?? 0}/{endpoints?.ModRevision ?? 0}");
    }

    private async Task<Condition> CheckAsync(ApiServiceInfo apiService, CancellationToken cancellationToken)
    {
        var service = apiService.Service!;
        var where = $"service/{service.Name} in {GoSyntax.Quote(service.Namespace)}";
        if (await reads.GetAsync(Services, service.Namespace, service.Name, cancellationToken) is not { } storedService)
        {
            return new("False", "ServiceNotFound", $"{where} is not present");
        }
        var svc = ObjectCodec.Decode(storedService.Value, storedService.ModRevision);
        if ((svc.Obj("spec").Str("type") ?? "ClusterIP") == "ClusterIP")
        {
            var port = svc.Obj("spec").Items("ports").Select(p => p.Item).FirstOrDefault(p => p.Int("port") == service.Port);
            if (port is null)
            {
                return new("False", "ServicePortError", $"{where} is not listening on port {service.Port.ToString(CultureInfo.InvariantCulture)}");
            }
            var portName = port.StrOrEmpty("name");
            if (await reads.GetAsync(Endpoints, service.Namespace, service.Name, cancellationToken) is not { } storedEndpoints)
            {
                return new("False", "EndpointsNotFound", $"cannot find endpoints for {where}");
            }
            var endpoints = ObjectCodec.Decode(storedEndpoints.Value, storedEndpoints.ModRevision);
            var served = endpoints.Items("subsets").Any(s => s.Item.Items("addresses").Any() && s.Item.Items("ports").Any(p => p.Item.StrOrEmpty("name") == portName));
            if (!served)
            {
                return new("False", "MissingEndpoints", $"endpoints for {where} have no addresses with port name {GoSyntax.Quote(portName)}");
            }
        }
        if (await DiscoveryCheckAsync(apiService, cancellationToken) is { } failure)
        {
            return new("False", "FailedDiscoveryCheck", failure);
        }
        return new("True", "Passed", "all checks passed");
    }

    // GET of the discovery path on an endpoint, as system:kube-aggregator in system:masters; null when it answered 2xx or 3xx.
    private async Task<string?> DiscoveryCheckAsync(ApiServiceInfo apiService, CancellationToken cancellationToken)
    {
        (string Host, int Port) endpoint;
        try
        {
            endpoint = await resolver.ResolveAsync(apiService.Service!, cancellationToken);
        }
        catch (ServiceResolutionException e)
        {
            return e.Message;
        }
        var host = endpoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Host}]" : endpoint.Host;
        var url = new Uri($"https://{host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}{apiService.DiscoveryPath}");
        var transport = insecureTransports.For(null, insecure: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.CheckTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        FrontProxyHeaders.Set(request, "system:kube-aggregator", ["system:masters"]);
        try
        {
            using var response = await transport.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300 ? null : $"bad status from {url}: {code.ToString(CultureInfo.InvariantCulture)}";
        }
        catch (HttpRequestException e)
        {
            return $"failing or missing response from {url}: Get {GoSyntax.Quote(url.ToString())}: {transport.Describe(e, request)}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"failing or missing response from {url}: Get {GoSyntax.Quote(url.ToString())}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
    }

    private async Task<long?> WriteAsync(string name, Condition condition, CancellationToken cancellationToken)
    {
        // Most passes change nothing: settle that from the cache before writing.
        if (await reads.GetAsync(ApiServices, null, name, cancellationToken) is not { } cached
            || Matches(ObjectCodec.Decode(cached.Value, cached.ModRevision), condition))
        {
            return null;
        }
        var wrote = false;
        JsonObject updated;
        try
        {
            updated = await registry.UpdateAsync(ApiServices, null, name, "status", stored =>
            {
                if (Matches(stored, condition))
                {
                    return stored;
                }
                var conditions = stored.Obj("status")?.Arr("conditions") ?? [];
                var old = Available(stored);
                wrote = true;
                var transition = old is not null && old.Str("status") == condition.Status
                    ? old["lastTransitionTime"]?.DeepClone()
                    : registry.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var replacement = new JsonObject
                {
                    ["type"] = "Available",
                    ["status"] = condition.Status,
                    ["lastTransitionTime"] = transition,
                    ["reason"] = condition.Reason,
                    ["message"] = condition.Message,
                };
                var next = new JsonArray(conditions.Where(c => c is JsonObject o && o.Str("type") != "Available").Select(c => c!.DeepClone()).Append(replacement).ToArray());
                stored.Ensure("status")["conditions"] = next;
                ObjectCodec.Metadata(stored).Remove("resourceVersion");
                var oldStatus = old?.Str("status") ?? "Unknown";
                if (oldStatus != condition.Status)
                {
                    LogAvailability(name, oldStatus, condition.Status, condition.Reason, condition.Message);
                }
                return stored;
            }, dryRun: false, cancellationToken);
        }
        catch (ApiException e) when (e.Reason == "NotFound")
        {
            return null;
        }
        return wrote && long.TryParse(ObjectMeta.ResourceVersion(updated), CultureInfo.InvariantCulture, out var revision) ? revision : null;
    }

    private static JsonObject? Available(JsonObject apiService) =>
        apiService.Obj("status").Items("conditions").Select(c => c.Item).FirstOrDefault(c => c.Str("type") == "Available");

    private static bool Matches(JsonObject apiService, Condition condition) =>
        Available(apiService) is { } old && old.Str("status") == condition.Status && old.Str("reason") == condition.Reason && old.Str("message") == condition.Message;

    private sealed record Condition(string Status, string Reason, string Message);

    [LoggerMessage(EventId = LogEvents.ApiServer + 504, Level = LogLevel.Information, Message = "APIService {ApiService} availability {OldStatus} -> {NewStatus}: {Reason}: {Message}")]
    private partial void LogAvailability(string apiService, string oldStatus, string newStatus, string reason, string message);

    [LoggerMessage(EventId = LogEvents.ApiServer + 505, Level = LogLevel.Warning, Message = "APIService availability pass failed, retrying: {Error}")]
    private partial void LogPassFailed(string error);
}
