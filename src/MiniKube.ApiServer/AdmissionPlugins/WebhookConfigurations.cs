using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Cel;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Webhooks;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// One webhook of a Mutating- or ValidatingWebhookConfiguration, read and compiled once per
/// version of its configuration (upstream's webhook.WebhookAccessor): defaults already applied
/// by the kind's strategy, matchConditions compiled, the clientConfig turned into a target.
/// Immutable and shared by concurrent requests.
/// </summary>
public sealed class Webhook
{
    private static readonly string[] SupportedReviewVersions = ["v1", "v1beta1"];

    private Webhook(string configurationName, int index, JsonObject source, ICelEngine cel)
    {
        ConfigurationName = configurationName;
        Name = source.StrOrEmpty("name");
        Uid = configurationName + "/" + Name + "/" + index.ToString(CultureInfo.InvariantCulture);
        Rules = source.Items("rules").Select(r => r.Item).ToList();
        FailOpen = source.Str("failurePolicy") == "Ignore";
        ExactMatch = source.Str("matchPolicy") == "Exact";
        NamespaceSelector = source.Obj("namespaceSelector");
        ObjectSelector = source.Obj("objectSelector");
        SideEffects = source.Str("sideEffects");
        Timeout = TimeSpan.FromSeconds(source.Int("timeoutSeconds") ?? 10);
        ReinvokeIfNeeded = source.Str("reinvocationPolicy") == "IfNeeded";
        // The first version of the webhook's list that this server speaks (webhookrequest.CreateAdmissionObjects).
        ReviewVersion = MetaValidation.Strings(source.Arr("admissionReviewVersions")).FirstOrDefault(SupportedReviewVersions.Contains);
        MatchConditions = source.Items("matchConditions")
            .Select(c => new MatchCondition(c.Item.StrOrEmpty("name"), cel.Compile(c.Item.StrOrEmpty("expression").Trim(), AdmissionRegistrationValidation.MatchConditionVariables)))
            .ToList();
        try
        {
            Target = WebhookTarget.FromClientConfig(source.Obj("clientConfig"));
        }
        catch (FormatException e)
        {
            // UriFormatException too: a stored URL that no longer parses fails its calls instead.
            TargetError = e.Message;
        }
    }

    public string ConfigurationName { get; }

    public string Name { get; }

    /// <summary>Identifies the webhook within one admission (its reinvocation bookkeeping).</summary>
    public string Uid { get; }

    public IReadOnlyList<JsonObject> Rules { get; }

    /// <summary>failurePolicy Ignore: a failed call is logged and skipped.</summary>
    public bool FailOpen { get; }

    /// <summary>matchPolicy Exact: no matching through equivalent resources.</summary>
    public bool ExactMatch { get; }

    public JsonObject? NamespaceSelector { get; }

    public JsonObject? ObjectSelector { get; }

    public string? SideEffects { get; }

    public TimeSpan Timeout { get; }

    /// <summary>reinvocationPolicy IfNeeded (mutating webhooks only).</summary>
    public bool ReinvokeIfNeeded { get; }

    /// <summary>v1 or v1beta1; null when the webhook accepts neither (every call then fails).</summary>
    public string? ReviewVersion { get; }

    public IReadOnlyList<MatchCondition> MatchConditions { get; }

    /// <summary>Where to call; null with <see cref="TargetError"/> when the clientConfig is unusable.</summary>
    public WebhookTarget? Target { get; }

    public string? TargetError { get; }

    /// <summary>The webhooks of one stored configuration, in their order.</summary>
    public static IEnumerable<Webhook> Read(JsonObject configuration, ICelEngine cel)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = ObjectMeta.Name(configuration) ?? "";
        return configuration.Items("webhooks").Select(h => new Webhook(name, h.Index, h.Item, cel)).ToList();
    }
}

/// <summary>A matchCondition, compiled (or the compile error of a condition stored before it stopped compiling).</summary>
public sealed record MatchCondition(string Name, CelCompilation Compiled);

/// <summary>
/// The webhooks of every configuration of one kind, sorted by configuration name as upstream's
/// configuration manager sorts them, read from the watch cache on each admission and rebuilt
/// only when a configuration changed (see <see cref="CompiledObjects{T}"/>). With no
/// configuration this costs one cache lookup per write. Thread-safe.
/// </summary>
public sealed class WebhookConfigurations(CachedReads reads, ResourceType type, ICelEngine cel)
{
    private readonly CompiledObjects<IReadOnlyList<Webhook>> _webhooks =
        new(reads, type, configurations => configurations.SelectMany(c => Webhook.Read(c, cel)).ToList());

    public ResourceType Type => type;

    /// <summary>The webhooks to consider for <paramref name="request"/>: none for the exempt admission kinds.</summary>
    public Task<IReadOnlyList<Webhook>> ForAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return WebhookInvoker.IsExempt(request.Type) ? Task.FromResult<IReadOnlyList<Webhook>>([]) : CurrentAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Webhook>> CurrentAsync(CancellationToken cancellationToken) => _webhooks.CurrentAsync(cancellationToken);
}
