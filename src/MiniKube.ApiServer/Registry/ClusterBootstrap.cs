using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.Registry;

/// <summary>
/// What every cluster has from its first second (kube-apiserver's bootstrap controller,
/// pkg/controlplane/controller/kubernetesservice): the default, kube-system, kube-public and
/// kube-node-lease namespaces, the default/kubernetes Service at the first service IP,
/// with an Endpoints and an EndpointSlice pointing at this API server, and the system
/// PriorityClasses. Creating what already exists is a no-op, so every start runs it.
/// </summary>
public static class ClusterBootstrap
{
    public static async Task RunAsync(ResourceRegistry registry, ServiceAllocator allocator, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(allocator);
        var namespaces = ResourceCatalog.Find("", "v1", "namespaces")!;
        foreach (var name in NamespaceStrategy.SystemNamespaces)
        {
            await CreateIfMissingAsync(registry, namespaces, null, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = name },
            }, cancellationToken);
        }
        await CreateSystemPriorityClassesAsync(registry, cancellationToken);
        await CreateIfMissingAsync(registry, ResourceCatalog.Find("", "v1", "services")!, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = KubernetesMetadata(new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" }),
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["clusterIP"] = allocator.KubernetesServiceIp,
                ["ports"] = new JsonArray(HttpsPort(443, targetPort: port)),
                ["sessionAffinity"] = "None",
            },
        }, cancellationToken);
    }

    /// <summary>
    /// The built-in PriorityClasses (upstream's scheduling/bootstrap-system-priority-classes
    /// post-start hook, pkg/registry/scheduling/rest/storage_scheduling.go): created when missing
    /// on every start, so pods naming system-node-critical or system-cluster-critical are admitted.
    /// </summary>
    private static async Task CreateSystemPriorityClassesAsync(ResourceRegistry registry, CancellationToken cancellationToken)
    {
        var priorityClasses = ResourceCatalog.Find("scheduling.k8s.io", "v1", "priorityclasses")!;
        foreach (var system in SchedulingValidation.SystemClasses)
        {
            await CreateIfMissingAsync(registry, priorityClasses, null, new JsonObject
            {
                ["apiVersion"] = "scheduling.k8s.io/v1",
                ["kind"] = "PriorityClass",
                ["metadata"] = new JsonObject { ["name"] = system.Name },
                ["value"] = system.Value,
                ["description"] = system.Description,
            }, cancellationToken);
        }
    }

    /// <summary>
    /// Points default/kubernetes at this API server once it listens (the endpoint reconciler's
    /// job upstream): its Endpoints and EndpointSlice, rewritten on every start so a new address
    /// or port replaces the old one.
    /// </summary>
    public static async Task PublishAsync(ResourceRegistry registry, string advertiseAddress, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(advertiseAddress);
        await PutAsync(registry, ResourceCatalog.Find("", "v1", "endpoints")!, "default", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Endpoints",
            ["metadata"] = KubernetesMetadata(),
            ["subsets"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["ip"] = advertiseAddress }),
                ["ports"] = new JsonArray(HttpsPort(port)),
            }),
        }, cancellationToken);
        // The slice too: the service proxy routes by slices.
        await PutAsync(registry, ResourceCatalog.Find("discovery.k8s.io", "v1", "endpointslices")!, "default", new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = KubernetesMetadata(new JsonObject { [WellKnownLabels.ServiceName] = "kubernetes" }),
            ["addressType"] = advertiseAddress.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4",
            ["endpoints"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(advertiseAddress),
                ["conditions"] = new JsonObject { ["ready"] = true },
            }),
            ["ports"] = new JsonArray(HttpsPort(port)),
        }, cancellationToken);
    }

    // default/kubernetes: the Service, Endpoints and EndpointSlice clients find the API server by.
    private static JsonObject KubernetesMetadata(JsonObject? labels = null)
    {
        var metadata = new JsonObject { ["name"] = "kubernetes", ["namespace"] = "default" };
        if (labels is not null)
        {
            metadata["labels"] = labels;
        }
        return metadata;
    }

    private static JsonObject HttpsPort(int port, int? targetPort = null)
    {
        var entry = new JsonObject { ["name"] = "https", ["port"] = port, ["protocol"] = "TCP" };
        if (targetPort is { } target)
        {
            entry["targetPort"] = target;
        }
        return entry;
    }

    private static async Task CreateIfMissingAsync(ResourceRegistry registry, ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken)
    {
        var key = ResourceRegistry.Key(type, ns, ObjectMeta.Name(obj)!);
        if (await registry.Store.GetAsync(key, 0, cancellationToken) is not null)
        {
            return;
        }
        try
        {
            await registry.CreateAsync(type, ns, obj, dryRun: false, cancellationToken);
        }
        catch (ApiException e) when (e.Reason is "AlreadyExists" or "Invalid")
        {
            // Another API server over the same etcd got there first. It may still be between
            // claiming the Service's IP and writing the Service, so give it a moment to finish.
            for (var attempt = 0; attempt < 25; attempt++)
            {
                if (await registry.Store.GetAsync(key, 0, cancellationToken) is not null)
                {
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            throw;
        }
    }

    /// <summary>Creates the object, or replaces what is stored under its name with it.</summary>
    public static async Task PutAsync(ResourceRegistry registry, ResourceType type, string? ns, JsonObject obj, CancellationToken cancellationToken)
    {
        var name = ObjectMeta.Name(obj)!;
        if (await registry.Store.GetAsync(ResourceRegistry.Key(type, ns, name), 0, cancellationToken) is null)
        {
            try
            {
                await registry.CreateAsync(type, ns, obj.DeepClone().AsObject(), dryRun: false, cancellationToken);
                return;
            }
            catch (ApiException e) when (e.Reason == "AlreadyExists")
            {
                // Another API server over the same etcd wrote it meanwhile: ours replaces it below.
            }
        }
        await registry.UpdateAsync(type, ns, name, null, stored =>
        {
            var replacement = obj.DeepClone().AsObject();
            replacement["metadata"] = stored["metadata"]!.DeepClone();
            ObjectCodec.Metadata(replacement).Remove("resourceVersion");
            return replacement;
        }, dryRun: false, cancellationToken);
    }
}
