using System.Text.Json.Nodes;
using MiniKube.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// Adoption and release by label selector (pkg/controller/controller_ref_manager.go
/// ClaimObject): an object the owner controls is kept while the selector matches it and released
/// (its controller reference patched away) when it no longer does; an orphan that matches is
/// adopted (a controller reference patched in) unless the owner is being deleted; objects
/// controlled by anybody else are never touched. Adoption first re-reads the owner from the API
/// (once per claim) so a stale cache never adopts for an owner that was just deleted or
/// replaced by a namesake.
/// </summary>
/// <typeparam name="T">The kind being claimed (pods for a ReplicaSet, ReplicaSets for a Deployment).</typeparam>
public sealed class ControllerRefManager<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IKubernetesObject<V1ObjectMeta> _owner;
    private readonly V1OwnerReference _controllerRef;
    private readonly LabelSelector _selector;
    private readonly Func<CancellationToken, Task<IKubernetesObject<V1ObjectMeta>?>> _readOwner;
    private readonly Func<T, V1Patch, CancellationToken, Task> _patch;
    private Task<bool>? _canAdopt;

    /// <param name="owner">The owner as cached.</param>
    /// <param name="controllerRef">The reference adoption writes (see <see cref="ControllerRefs.To"/>).</param>
    /// <param name="selector">The owner's selector.</param>
    /// <param name="readOwner">Reads the owner from the API, uncached; null when it is gone.</param>
    /// <param name="patch">Applies a strategic merge patch to one claimed object.</param>
    public ControllerRefManager(IKubernetesObject<V1ObjectMeta> owner, V1OwnerReference controllerRef, LabelSelector selector,
        Func<CancellationToken, Task<IKubernetesObject<V1ObjectMeta>?>> readOwner, Func<T, V1Patch, CancellationToken, Task> patch)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(controllerRef);
        ArgumentNullException.ThrowIfNull(selector);
        _owner = owner;
        _controllerRef = controllerRef;
        _selector = selector;
        _readOwner = readOwner;
        _patch = patch;
    }

    /// <summary>The objects the owner controls after adoption and release; objects that vanished meanwhile are left out.</summary>
    public async Task<List<T>> ClaimAsync(IEnumerable<T> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var claimed = new List<T>();
        foreach (var obj in candidates)
        {
            if (await ClaimAsync(obj, cancellationToken))
            {
                claimed.Add(obj);
            }
        }
        return claimed;
    }

    private async Task<bool> ClaimAsync(T obj, CancellationToken cancellationToken)
    {
        var matches = _selector.Matches(obj);
        var controller = ControllerRefs.ControllerOf(obj);
        var ownerDeleting = _owner.Metadata.DeletionTimestamp is not null;
        if (controller is not null)
        {
            if (controller.Uid != _owner.Metadata.Uid)
            {
                return false;
            }
            if (matches)
            {
                return true;
            }
            if (!ownerDeleting)
            {
                await PatchAsync(obj, ReleasePatch(obj), cancellationToken);
            }
            return false;
        }
        if (ownerDeleting || !matches || obj.Metadata.DeletionTimestamp is not null)
        {
            return false;
        }
        _canAdopt ??= CanAdoptAsync(cancellationToken);
        if (!await _canAdopt)
        {
            return false;
        }
        return await PatchAsync(obj, AdoptPatch(obj), cancellationToken);
    }

    private async Task<bool> CanAdoptAsync(CancellationToken cancellationToken)
    {
        var fresh = await _readOwner(cancellationToken);
        return fresh is not null && fresh.Metadata.Uid == _owner.Metadata.Uid && fresh.Metadata.DeletionTimestamp is null;
    }

    /// <summary>True when patched; false when the object is gone (a 404 is not an error here, as upstream).</summary>
    private async Task<bool> PatchAsync(T obj, string patch, CancellationToken cancellationToken)
    {
        try
        {
            await _patch(obj, new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), cancellationToken);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // The object's uid in the patch makes it apply only to the object we looked at, as upstream's patches do.
    private string AdoptPatch(T obj) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(JsonNode.Parse(KubernetesJson.Serialize(_controllerRef))),
            ["uid"] = obj.Metadata.Uid,
        },
    }.ToJsonString();

    private string ReleasePatch(T obj) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = _owner.Metadata.Uid }),
            ["uid"] = obj.Metadata.Uid,
        },
    }.ToJsonString();
}
