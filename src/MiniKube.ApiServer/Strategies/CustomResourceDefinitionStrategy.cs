using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Strategies;

/// <summary>
/// apiextensions.k8s.io/v1 CustomResourceDefinitions (apiextensions-apiserver
/// pkg/registry/customresourcedefinition/strategy.go plus the naming and establishing
/// controllers, done synchronously): v1 defaults, status owned by /status, generation on spec
/// changes, the cleanup finalizer on create, <see cref="CustomResourceDefinitionValidation"/>,
/// and — before the write is stored, so the reply and discovery agree at once (Helm re-reads
/// discovery as soon as its PATCH returns) — status.acceptedNames, storedVersions and the
/// NamesAccepted and Established conditions, with names that clash with another CRD of the group
/// refused as the naming controller does. CEL rules that do not compile reach the client as
/// Warning headers through <see cref="RequestWarnings"/>.
/// </summary>
public sealed class CustomResourceDefinitionStrategy : ResourceStrategy
{
    /// <summary>The finalizer that keeps a deleted CRD until its custom objects are gone.</summary>
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    /// <summary>SetDefaults_CustomResourceDefinitionSpec and SetDefaults_ServiceReference of apiextensions v1.</summary>
    public override void ApplyDefaults(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj["spec"] is not JsonObject spec)
        {
            return;
        }
        if (spec["names"] is JsonObject names && names.Str("kind") is { Length: > 0 } kind)
        {
            names.DefaultString("singular", kind.ToLowerInvariant());
            names.DefaultString("listKind", kind + "List");
        }
        if (spec["conversion"] is not JsonObject conversion)
        {
            spec["conversion"] = new JsonObject { ["strategy"] = "None" };
        }
        else if (conversion.Obj("webhook").Obj("clientConfig").Obj("service") is { } service && !service.Has("port"))
        {
            service["port"] = 443;
        }
    }

    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        var metadata = obj.Ensure("metadata");
        var finalizers = metadata["finalizers"] as JsonArray ?? [];
        if (!finalizers.Any(f => ObjectMeta.Str(f) == CleanupFinalizer))
        {
            finalizers.Add(CleanupFinalizer);
        }
        metadata["finalizers"] = finalizers;
        AddStoredVersion(obj);
    }

    public override void PrepareForUpdate(JsonObject obj, JsonObject old)
    {
        base.PrepareForUpdate(obj, old);
        AddStoredVersion(obj);
    }

    public override IReadOnlyList<FieldError> Validate(JsonObject obj, bool namespaced) =>
        CustomResourceDefinitionValidation.Validate(obj, RequestWarnings.Current ?? []);

    public override IReadOnlyList<FieldError> ValidateUpdate(JsonObject obj, JsonObject old) =>
        CustomResourceDefinitionValidation.ValidateUpdate(obj, old, RequestWarnings.Current ?? []);

    public override IReadOnlyList<FieldError> ValidateStatusUpdate(JsonObject obj, JsonObject old) =>
        CustomResourceDefinitionValidation.ValidateStatusUpdate(obj, old);

    public override async Task AdmitCreateAsync(JsonObject obj, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        CustomResourceDefinitionNames.Accept(obj, await context.ListAsync("apiextensions.k8s.io", "customresourcedefinitions", cancellationToken), DateTimeOffset.UtcNow);
    }

    public override async Task BeginWriteAsync(JsonObject obj, JsonObject? old, IStrategyContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (old is not null && !ObjectMeta.IsDeleting(obj))
        {
            CustomResourceDefinitionNames.Accept(obj, await context.ListAsync("apiextensions.k8s.io", "customresourcedefinitions", cancellationToken), DateTimeOffset.UtcNow);
        }
    }

    // The storage version joins status.storedVersions (strategy.go PrepareForCreate/PrepareForUpdate).
    private static void AddStoredVersion(JsonObject obj)
    {
        var storage = obj.Obj("spec").Items("versions").Where(v => v.Item.Bool("storage") == true).Select(v => v.Item.StrOrEmpty("name")).FirstOrDefault();
        if (storage is null)
        {
            return;
        }
        var status = obj.Ensure("status");
        var stored = status["storedVersions"] as JsonArray ?? [];
        if (!stored.Any(v => ObjectMeta.Str(v) == storage))
        {
            stored.Add(storage);
        }
        status["storedVersions"] = stored;
    }
}
