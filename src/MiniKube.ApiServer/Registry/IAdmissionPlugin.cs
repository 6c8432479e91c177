using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Registry;

/// <summary>The operation an admission plugin is asked about, as admission.Operation upstream.</summary>
public enum AdmissionOperation
{
    Create,
    Update,
    Delete,
}

/// <summary>
/// One write as admission sees it (upstream's admission.Attributes): the resource, the
/// operation, the object after the kind's own preparation, and who asks. Mutating plugins may
/// change <see cref="Object"/> in place; validating plugins only read.
/// </summary>
/// <param name="Type">The resource written, in its stored form.</param>
/// <param name="Operation">Create, update (also of a subresource) or delete.</param>
/// <param name="Subresource">e.g. status, scale; null for the object itself.</param>
/// <param name="Object">The new object; for a delete the object being deleted.</param>
/// <param name="OldObject">The stored object of an update or delete; null on create.</param>
/// <param name="DryRun">True when nothing will be stored: plugins with side effects must not have them.</param>
/// <param name="User">The authenticated requester, or null for the server's own writes.</param>
public sealed record AdmissionRequest(
    ResourceType Type, AdmissionOperation Operation, string? Subresource, JsonObject Object, JsonObject? OldObject, bool DryRun, Requester? User)
{
    /// <summary>The object's namespace; null for cluster-scoped resources.</summary>
    public string? Namespace => Type.Namespaced ? Objects.ObjectMeta.Namespace(Object) : null;

    /// <summary>The object's name.</summary>
    public string Name => Objects.ObjectMeta.Name(Object) ?? "";
}

/// <summary>
/// A pluggable admission step between the kind's rules and the store, as kube-apiserver's
/// admission plugins (LimitRanger, ResourceQuota, the webhook and policy plugins). The chain runs
/// every plugin's <see cref="AdmitAsync"/> in order after the kind's own mutations, then the kind's
/// validation, then every plugin's <see cref="ValidateAsync"/> before anything is claimed or
/// written. A plugin refuses by throwing an <see cref="Errors.ApiException"/> (403 Forbidden for
/// a denial, 422 for an invalid mutation, 500 only for the server's own failure); nothing refused
/// is stored. Plugins are shared by all requests and must be thread-safe.
/// </summary>
public interface IAdmissionPlugin
{
    /// <summary>Upstream's plugin name, e.g. LimitRanger, for logs and errors.</summary>
    string Name { get; }

    /// <summary>Mutating phase: may change <see cref="AdmissionRequest.Object"/>.</summary>
    Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Validating phase: sees the object as it will be stored; may only refuse.</summary>
    Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Whether the plugin is also asked about the creates of subresources that store nothing of
    /// their own (pods/eviction with its Eviction, serviceaccounts/token with its TokenRequest),
    /// which upstream admits through every plugin. Off by default: the other plugins here were
    /// written for stored objects.
    /// </summary>
    bool AdmitsSubresourceCreates => false;
}
