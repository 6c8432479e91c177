using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.ManagedFields;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// PATCH on an object or its status (apiserver pkg/endpoints/handlers/patch.go): JSON, merge
/// and strategic merge patches re-applied to the latest object on every retry, and apply
/// patches (server-side apply) that create the object when it is absent.
/// </summary>
internal sealed class PatchHandler(ResourceRegistry registry)
{
    public async Task PatchAsync(HttpContext context, ResourceType type, string? ns, string name, string? subresource)
    {
        var body = await RequestBody.ReadBytesAsync(context);
        var media = RequestBody.MediaType(context);
        var dryRun = ResourceHandler.DryRun(context);
        var force = ListOptions.Value(context.Request.Query, "force");
        if (media == "application/apply-patch+yaml")
        {
            if (string.IsNullOrEmpty(ListOptions.Value(context.Request.Query, "fieldManager")))
            {
                throw ApiException.Invalid("meta.k8s.io", "PatchOptions", "", FieldError.Required(FieldPath.Of("fieldManager"), "is required for apply patch"));
            }
            var owner = FieldOwners.For(context, type, ManagerEntry.Apply, subresource, "PatchOptions", registry.Clock);
            var forced = string.Equals(force, "true", StringComparison.OrdinalIgnoreCase) || force == "1";
            var applied = RequestBody.ParseJsonOrYaml(body);
            ResourceHandler.CheckKind(type, applied);
            ResourceHandler.CheckName(applied, name, ns, type);
            var applyWarnings = ObjectPatcher.Prune(context, type, applied);
            Warnings.Add(context, applyWarnings);
            if (subresource is null && !await ExistsAsync(type, ns, name, context.RequestAborted))
            {
                try
                {
                    var created = await registry.CreateAsync(type, ns, ObjectPatcher.Apply(type, null, applied, owner, forced, null), dryRun, context.RequestAborted, owner);
                    await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status201Created, created);
                    return;
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists")
                {
                    // Created by someone else since we looked: apply onto it instead.
                }
            }
            var result = await registry.UpdateAsync(type, ns, name, subresource, live => ObjectPatcher.Apply(type, live, applied, owner, forced, subresource), dryRun, context.RequestAborted, owner);
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, result);
            return;
        }
        if (force is not null)
        {
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", "", FieldError.Forbidden(FieldPath.Of("force"), "may not be specified for non-apply patch"));
        }
        var updater = FieldOwners.For(context, type, ManagerEntry.Update, subresource, "PatchOptions", registry.Clock);
        List<string> warnings = [];
        var patched = await registry.UpdateAsync(type, ns, name, subresource, live =>
        {
            var liveVersion = ObjectMeta.ResourceVersion(live);
            var updated = ObjectPatcher.Patch(type, media, live, body);
            ResourceHandler.CheckKind(type, updated);
            ResourceHandler.CheckName(updated, name, ns, type);
            warnings = ObjectPatcher.Prune(context, type, updated, patch: true);
            // A resourceVersion the patch left as it was is no precondition: the retry loop may re-apply it.
            if (ObjectMeta.ResourceVersion(updated) == liveVersion)
            {
                ObjectCodec.Metadata(updated).Remove("resourceVersion");
            }
            return updated;
        }, dryRun, context.RequestAborted, updater);
        Warnings.Add(context, warnings);
        await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, patched);
    }

    private async Task<bool> ExistsAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken) =>
        await registry.Store.GetAsync(ResourceRegistry.Key(type, ns, name), 0, cancellationToken) is not null;
}
