using System.Text.Json.Nodes;
using k8s.Autorest;

namespace MiniKube.Addons.Gateway.Crds;

/// <summary>What the installer did with one CRD.</summary>
public enum GatewayCrdOutcome
{
    /// <summary>Created, or brought to this server's definition (server-side apply, forced).</summary>
    Applied,

    /// <summary>Already ours: same bundle-version and every field we set as we set it; nothing written.</summary>
    Current,

    /// <summary>Left alone: it carries a later bundle-version (a user installed a newer release).</summary>
    KeptNewer,

    /// <summary>The API server refused our definition over what is stored (e.g. stored versions we do not serve); left as it was.</summary>
    Refused,
}

/// <summary>
/// Installs <see cref="GatewayApiCrds"/> through the API and waits until each is Established, so
/// whatever starts after it may list and watch Gateway API objects at once. Idempotent, and safe
/// from several servers at once: each CRD is server-side applied with
/// <see cref="GatewayApiCrds.FieldManager"/> and <c>force</c> (ours wins over older managers'
/// fields), and an apply that changes nothing changes nothing. A CRD whose
/// <see cref="GatewayApiCrds.BundleVersionAnnotation"/> names a later release is left alone, as
/// upstream asks of implementations that bundle CRDs. The caller needs get and patch on these
/// CustomResourceDefinitions only (an apply that creates is authorized as a patch).
/// </summary>
public static partial class GatewayCrdInstaller
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private const int MaxAttempts = 3;

    /// <summary>Installs or updates the CRDs, then waits until every one that exists is Established.</summary>
    public static async Task<IReadOnlyDictionary<string, GatewayCrdOutcome>> InstallAsync(IKubernetes client, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        var outcomes = new Dictionary<string, GatewayCrdOutcome>();
        foreach (var crd in GatewayApiCrds.Build())
        {
            var name = (string)crd["metadata"]!["name"]!;
            outcomes[name] = await EnsureAsync(client, name, crd, logger, cancellationToken);
        }
        foreach (var name in GatewayApiCrds.Names)
        {
            await WaitEstablishedAsync(client, name, time, cancellationToken);
        }
        var applied = outcomes.Count(o => o.Value == GatewayCrdOutcome.Applied);
        LogInstalled(logger, GatewayApiCrds.BundleVersion, applied);
        return outcomes;
    }

    private static async Task<GatewayCrdOutcome> EnsureAsync(IKubernetes client, string name, JsonObject ours, ILogger logger, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var installed = await ReadAsync(client, name, cancellationToken);
            string? theirs = null;
            if (installed?.Metadata.Annotations?.TryGetValue(GatewayApiCrds.BundleVersionAnnotation, out theirs) == true
                && BundleVersionOrder.IsNewer(theirs, GatewayApiCrds.BundleVersion))
            {
                LogKeptNewer(logger, name, theirs!, GatewayApiCrds.BundleVersion);
                return GatewayCrdOutcome.KeptNewer;
            }
            // A restart finds its own CRDs: an apply would change nothing, and costs the API server
            // a full CRD validation (every CEL rule compiled) and a managed-fields merge.
            if (installed is not null && IsAlreadyApplied(ours, JsonNode.Parse(KubernetesJson.Serialize(installed))))
            {
                return GatewayCrdOutcome.Current;
            }
            try
            {
                await client.ApiextensionsV1.PatchCustomResourceDefinitionAsync(new V1Patch(ours.ToJsonString(), V1Patch.PatchType.ApplyPatch), name,
                    fieldManager: GatewayApiCrds.FieldManager, force: true, cancellationToken: cancellationToken);
                return GatewayCrdOutcome.Applied;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // Another server wrote it between our read and our apply: read again, it may now be newer.
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict)
            {
                // Not ours to repair: e.g. an experimental-channel CRD whose stored versions we do not serve.
                LogRefused(logger, name, theirs ?? "none", e.Response.Content);
                return GatewayCrdOutcome.Refused;
            }
        }
    }

    /// <summary>
    /// True when every field of <paramref name="ours"/> stands in <paramref name="installed"/> with
    /// the same value (objects may hold more: server defaults, other managers' fields; lists
    /// must have the same length, item by item) — what a forced apply of ours would leave as is.
    /// </summary>
    internal static bool IsAlreadyApplied(JsonNode? ours, JsonNode? installed) => (ours, installed) switch
    {
        (JsonObject mine, JsonObject stored) => mine.All(p => stored.TryGetPropertyValue(p.Key, out var value) && IsAlreadyApplied(p.Value, value)),
        (JsonArray mine, JsonArray stored) => mine.Count == stored.Count && mine.Zip(stored).All(pair => IsAlreadyApplied(pair.First, pair.Second)),
        (JsonObject or JsonArray, _) or (_, JsonObject or JsonArray) => false,
        _ => JsonNode.DeepEquals(ours, installed),
    };

    private static async Task<V1CustomResourceDefinition?> ReadAsync(IKubernetes client, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Waits until <paramref name="name"/> is Established; returns at once when it does not exist (a refused create).</summary>
    public static async Task WaitEstablishedAsync(IKubernetes client, string name, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        while (await ReadAsync(client, name, cancellationToken) is { } crd && !IsEstablished(crd))
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private static bool IsEstablished(V1CustomResourceDefinition crd) =>
        crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;

    [LoggerMessage(EventId = LogEvents.Addons + 700, Level = LogLevel.Information, Message = "Gateway API {BundleVersion} (standard channel) CRDs established; {Applied} applied")]
    private static partial void LogInstalled(ILogger logger, string bundleVersion, int applied);

    [LoggerMessage(EventId = LogEvents.Addons + 701, Level = LogLevel.Information, Message = "CRD {Name} has Gateway API bundle-version {Installed}, newer than ours ({Ours}); leaving it as installed")]
    private static partial void LogKeptNewer(ILogger logger, string name, string installed, string ours);

    [LoggerMessage(EventId = LogEvents.Addons + 702, Level = LogLevel.Warning, Message = "CRD {Name} (bundle-version {Installed}) could not be brought to ours and is left as installed: {Reason}. Delete it to let mkube install its own, or install a matching Gateway API release by hand")]
    private static partial void LogRefused(ILogger logger, string name, string installed, string reason);
}
