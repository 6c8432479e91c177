using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// Everything that is particular to one kind on the write path, in one place, as upstream's
/// pkg/registry/&lt;group&gt;/&lt;kind&gt;/strategy.go (RESTCreateStrategy, RESTUpdateStrategy, the
/// status strategy, RESTGracefulDeleteStrategy) plus the REST storage's hooks for what needs the
/// server (Service IPs and ports). The registry calls these in a fixed order and knows no kind;
/// each catalog entry (a ResourceType) carries its strategy. Strategies are shared by every API
/// server in the process and hold no state; what they need of a server comes in an
/// <see cref="IStrategyContext"/>.
/// </summary>
public interface IResourceStrategy
{
    /// <summary>True when metadata.generation starts at 1 and counts spec changes.</summary>
    bool TracksGeneration { get; }

    /// <summary>
    /// For kinds that track generation: whether an update changed what metadata.generation
    /// counts — the spec for built-in kinds, everything but metadata (and status, when /status
    /// owns it) for custom resources (apiextensions' customresource strategy.go PrepareForUpdate).
    /// </summary>
    bool ChangesGeneration(JsonObject obj, JsonObject old);

    /// <summary>True when a DELETE answers with the deleted object rather than a Status (upstream's ReturnDeletedObject).</summary>
    bool ReturnsDeletedObject { get; }

    /// <summary>
    /// What upstream does on every decode: scheme defaults (pkg/apis/*/v1/defaults.go) and
    /// conversion. Runs on every write, also on objects read back, so it must be idempotent.
    /// </summary>
    void ApplyDefaults(JsonObject obj);

    /// <summary>The one-time changes of a create, after <see cref="ApplyDefaults"/>: mutating admission, status reset. Name and uid are set.</summary>
    void PrepareForCreate(JsonObject obj);

    /// <summary>A write of the main resource: carries over what it may not change (.status when a status subresource owns it).</summary>
    void PrepareForUpdate(JsonObject obj, JsonObject old);

    /// <summary>A write through /status: only .status changes, everything else is the stored object's.</summary>
    void PrepareForStatusUpdate(JsonObject obj, JsonObject old);

    /// <summary>Field errors of a new object; empty when it may be stored.</summary>
    IReadOnlyList<FieldError> Validate(JsonObject obj, bool namespaced);

    /// <summary>Field errors of an update of the main resource.</summary>
    IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old);

    /// <summary>Field errors of a status write.</summary>
    IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old);

    /// <summary>
    /// A write through a subresource other than status that carries the whole object (upstream's
    /// per-subresource strategies, such as certificatesigningrequests/approval): carries over what
    /// it may not change. By default nothing, as before such subresources existed.
    /// </summary>
    void PrepareForSubresourceUpdate(string subresource, JsonObject obj, JsonObject old);

    /// <summary>Field errors of a write through <paramref name="subresource"/>; by default those of an update.</summary>
    IReadOnlyList<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject obj, JsonObject old);

    /// <summary>Normalizes a validated object before it is stored (upstream's Canonicalize).</summary>
    void Canonicalize(JsonObject obj);

    /// <summary>Mutating admission that needs the server (DefaultStorageClass), before validation of a create.</summary>
    Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Claims what the object needs before it is written (upstream's BeginCreate/BeginUpdate
    /// hooks: Service IPs and node ports); <paramref name="old"/> is null on create. Throws to refuse.
    /// </summary>
    Task BeginWriteAsync(JsonObject obj, JsonObject? old, IStrategyContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Releases what <paramref name="held"/> claimed and <paramref name="kept"/> does not use: a
    /// deleted object (kept null), the old version after an update, or a version never written.
    /// </summary>
    Task ReleaseAsync(JsonObject held, JsonObject? kept, IStrategyContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Seconds a DELETE waits before the object goes (CheckGracefulDelete); 0 removes it at once
    /// unless finalizers hold it. <paramref name="requested"/> is the request's gracePeriodSeconds.
    /// </summary>
    long GracePeriodSeconds(JsonObject obj, long? requested);

    /// <summary>
    /// For kinds whose DELETE is a state change of its own (a namespace turns Terminating):
    /// marks <paramref name="pending"/> and says whether it must wait, or null for the generic
    /// grace-period and finalizer handling.
    /// </summary>
    DeleteDecision? BeginDelete(IApiResource resource, JsonObject pending, DateTimeOffset now);
}

/// <summary>What a kind's own DELETE handling decided.</summary>
public enum DeleteDecision
{
    /// <summary>Remove the object now.</summary>
    Remove,

    /// <summary>Store the marked object; something else finishes the deletion.</summary>
    Wait,
}
