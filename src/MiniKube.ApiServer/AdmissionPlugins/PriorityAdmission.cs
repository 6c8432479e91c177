using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.Storage;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// kube-apiserver's Priority admission plugin (plugin/pkg/admission/priority/admission.go of
/// v1.32). A new pod's spec.priorityClassName becomes spec.priority and spec.preemptionPolicy
/// from that PriorityClass; a pod naming none gets the global default class (the lowest value
/// when several claim it) or priority 0 with PreemptLowerPriority. A class that does not exist,
/// or a priority or policy given by the client that differs from the class's, is a 403. An
/// update keeps the priority and policy the pod was created with when the client leaves them
/// out. On PriorityClasses it admits at most one globalDefault.
/// <para>
/// Pods read classes from the watch cache, as upstream's plugin reads an informer, with a store
/// read for a named class the cache does not have yet; PriorityClass writes read the store, so
/// two defaults written one after the other are refused even before the cache has the first.
/// Since v1.17 the system classes are not limited to kube-system here (that limit is a
/// ResourceQuota configuration upstream).
/// </para>
/// </summary>
public sealed class PriorityAdmission(IStore store, IListCache? cache) : IAdmissionPlugin
{
    private static readonly ResourceType PriorityClasses = ResourceCatalog.Find("scheduling.k8s.io", "v1", "priorityclasses")!;

    // The default class as of the cache revision it was computed at: every pod create without a
    // class name asks, and the answer only changes when a PriorityClass does.
    private DefaultAtRevision? _lastDefault;

    public string Name => "Priority";

    public async Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Subresource is not null || !IsPods(request.Type))
        {
            return;
        }
        var spec = request.Object.Ensure("spec");
        if (request.Operation == AdmissionOperation.Update && request.OldObject?.Obj("spec") is { } oldSpec)
        {
            // Set on create; validation refuses a change, so only an omission is filled in.
            foreach (var field in new[] { "priority", "preemptionPolicy" })
            {
                if (spec[field] is null && oldSpec[field] is { } kept)
                {
                    spec[field] = kept.DeepClone();
                }
            }
            return;
        }
        if (request.Operation == AdmissionOperation.Create)
        {
            await ResolvePriorityAsync(request, spec, cancellationToken);
        }
    }

    public async Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Subresource is not null || request.Type.Group != PriorityClasses.Group || request.Type.Name != PriorityClasses.Name
            || request.Operation == AdmissionOperation.Delete || request.Object.Bool("globalDefault") != true)
        {
            return;
        }
        var items = (await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(PriorityClasses, null)), cancellationToken)).Items;
        if (DefaultOf(items) is { } existing && (request.Operation == AdmissionOperation.Create || existing.Name != request.Name))
        {
            throw ApiException.Forbidden(request.Type, request.Name, $"PriorityClass {existing.Name} is already marked as default. Only one default can exist");
        }
    }

    private async Task ResolvePriorityAsync(AdmissionRequest request, JsonObject spec, CancellationToken cancellationToken)
    {
        var className = spec.StrOrEmpty("priorityClassName");
        ClassInfo resolved;
        if (className.Length == 0)
        {
            resolved = await DefaultClassAsync(cancellationToken) ?? new ClassInfo("", SchedulingValidation.DefaultPriority, SchedulingValidation.PreemptLowerPriority);
            if (resolved.Name.Length > 0)
            {
                spec["priorityClassName"] = resolved.Name;
            }
        }
        else
        {
            resolved = await FindClassAsync(className, cancellationToken)
                ?? throw ApiException.Forbidden(request.Type, request.Name, $"no PriorityClass with name {className} was found");
        }
        if (spec.Int("priority") is { } given && given != resolved.Value)
        {
            throw ApiException.Forbidden(request.Type, request.Name, string.Create(CultureInfo.InvariantCulture,
                $"the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {resolved.Value} from the given PriorityClass name"));
        }
        spec["priority"] = resolved.Value;
        if (resolved.PreemptionPolicy is { } policy)
        {
            if (spec.Str("preemptionPolicy") is { } asked && asked != policy)
            {
                throw ApiException.Forbidden(request.Type, request.Name,
                    $"the string value of PreemptionPolicy ({asked}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
            }
            spec["preemptionPolicy"] = policy;
        }
    }

    private async Task<ClassInfo?> FindClassAsync(string name, CancellationToken cancellationToken)
    {
        var key = ResourceRegistry.Key(PriorityClasses, null, name);
        // A class created a moment ago may not be in the cache yet: the store is asked then.
        var kv = cache?.TryGetCached(PriorityClasses, key) ?? await store.GetAsync(key, 0, cancellationToken);
        return kv is null ? null : ClassInfo.From(ObjectCodec.Decode(kv.Value, kv.ModRevision));
    }

    private async Task<ClassInfo?> DefaultClassAsync(CancellationToken cancellationToken)
    {
        var page = cache is null ? null : await cache.TryListAsync(PriorityClasses, null, new ListOptions { ResourceVersion = "0" }, null, cancellationToken);
        if (page is null)
        {
            return DefaultOf((await store.RangeAsync(new RangeRequest(ResourceRegistry.Prefix(PriorityClasses, null)), cancellationToken)).Items);
        }
        if (_lastDefault is { } last && last.Revision == page.Revision)
        {
            return last.Class;
        }
        var found = DefaultOf(page.Items);
        _lastDefault = new DefaultAtRevision(page.Revision, found);
        return found;
    }

    // getDefaultPriorityClass: several defaults can exist after a race; the lowest value wins.
    private static ClassInfo? DefaultOf(IEnumerable<KeyValue> items) =>
        items.Select(kv => ObjectCodec.Decode(kv.Value, kv.ModRevision))
            .Where(pc => pc.Bool("globalDefault") == true)
            .Select(ClassInfo.From)
            .OrderBy(pc => pc.Value)
            .FirstOrDefault();

    private static bool IsPods(ResourceType type) => type.Group.Length == 0 && type.Name == "pods";

    // value is an int32: the decoder refuses anything wider before a class is stored.
    private sealed record ClassInfo(string Name, int Value, string? PreemptionPolicy)
    {
        public static ClassInfo From(JsonObject pc) =>
            new(ObjectMeta.Name(pc) ?? "", (int)(pc.Int("value") ?? 0), pc.Str("preemptionPolicy"));
    }

    private sealed record DefaultAtRevision(long Revision, ClassInfo? Class);
}
