using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// What the registry asks of admission for every write: defaulting and per-kind preparation,
/// then validation. Implementations throw <see cref="ApiException"/> (422 Invalid, 403
/// Forbidden) to refuse a write; nothing refused is stored.
/// </summary>
public interface IObjectRules
{
    /// <summary>
    /// Defaults a new object, records <paramref name="owner"/>'s fields in managedFields (an
    /// Update owner; apply results arrive with theirs), admits it (mutating, then validating after
    /// the kind's validation) and claims what it needs (Service IPs and ports).
    /// </summary>
    Task PrepareForCreateAsync(ResourceType type, JsonObject obj, FieldOwner? owner, bool dryRun, CancellationToken cancellationToken);

    /// <summary>
    /// Carries over what the write may not change (status or spec, depending on
    /// <paramref name="subresource"/>), defaults, records what <paramref name="owner"/> changed in
    /// managedFields (none: internal writes leave them), runs mutating admission, and claims what
    /// the new version needs.
    /// </summary>
    Task PrepareForUpdateAsync(ResourceType type, JsonObject obj, JsonObject old, string? subresource, FieldOwner? owner, bool dryRun, CancellationToken cancellationToken);

    /// <summary>
    /// Throws 422 Invalid when an update breaks the kind's rules, else canonicalizes it, then runs
    /// validating admission (which may refuse with 403).
    /// </summary>
    Task ValidateUpdateAsync(ResourceType type, JsonObject obj, JsonObject old, string? subresource, bool dryRun, CancellationToken cancellationToken);

    /// <summary>Validating admission of a DELETE of <paramref name="obj"/>, before anything changes.</summary>
    Task AdmitDeleteAsync(ResourceType type, JsonObject obj, bool dryRun, CancellationToken cancellationToken);

    /// <summary>
    /// Admission of the create of a subresource that stores nothing of its own (pods/eviction,
    /// serviceaccounts/token): <paramref name="obj"/> is the request's body, named as the parent
    /// object. Only plugins that say they admit such creates are asked (<see cref="IAdmissionPlugin.AdmitsSubresourceCreates"/>).
    /// </summary>
    Task AdmitSubresourceCreateAsync(ResourceType type, string subresource, JsonObject obj, bool dryRun, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Releases what <paramref name="held"/> claimed (Service IPs and node ports) and
    /// <paramref name="kept"/> does not use: a deleted object (kept null), the old version after
    /// an update, or a new version whose write did not happen.
    /// </summary>
    Task ReleaseAsync(ResourceType type, JsonObject held, JsonObject? kept, CancellationToken cancellationToken);
}
