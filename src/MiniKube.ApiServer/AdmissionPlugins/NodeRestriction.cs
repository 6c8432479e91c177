using MiniKube.ApiServer.Admission;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// The NodeRestriction admission plugin (plugin/pkg/admission/noderestriction/admission.go of
/// v1.32): what the Node authorizer allows a kubelet without seeing the object, this plugin keeps
/// to the kubelet's own. Only users that are nodes (<see cref="NodeIdentity"/>) are restricted:
/// <list type="bullet">
/// <item>pods: only mirror pods bound to itself, owned by its Node (uid checked), naming no service
/// account, Secret, ConfigMap, ClusterTrustBundle or claim; delete, status (labels unchanged) and
/// eviction only of pods bound to itself;</item>
/// <item>nodes: its own only; no configSource, no taint changes, no restricted labels set or changed
/// (<c>node-restriction.kubernetes.io/</c>, and <c>kubernetes.io</c> or <c>k8s.io</c> ones outside
/// the kubelet's set);</item>
/// <item>PVCs: status only (capacity, conditions, allocated resources);</item>
/// <item>tokens: only bound to one of its pods, by the pod's current uid;</item>
/// <item>its own Lease in kube-node-lease and its own CSINode.</item>
/// </list>
/// Refusals are upstream's admission.NewForbidden 403s. Runs in the mutating phase after
/// ServiceAccount (upstream's order), on deletes in the validating phase (the only one deletes have
/// here), and sees the creates of pods/eviction and serviceaccounts/token
/// (<see cref="IAdmissionPlugin.AdmitsSubresourceCreates"/>).
/// </summary>
public sealed class NodeRestriction(CachedReads reads) : IAdmissionPlugin
{
    public string Name => "NodeRestriction";

    public bool AdmitsSubresourceCreates => true;

    private const string NodeRestrictionLabels = "node-restriction.kubernetes.io";
    private const string NodeLeaseNamespace = "kube-node-lease";

    // k8s.io/kubelet/pkg/apis well_known_labels.go: the kubernetes.io labels a kubelet may set on its Node.
    private static readonly HashSet<string> KubeletLabels = new(StringComparer.Ordinal)
    {
        WellKnownLabels.Hostname, "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
        "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
        WellKnownLabels.Os, WellKnownLabels.Arch, "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
    };

    private static readonly string[] KubeletLabelNamespaces = ["kubelet.kubernetes.io", "node.kubernetes.io"];

    // PVC status fields a kubelet may change (RecoverVolumeExpansionFailure is on in 1.32).
    private static readonly string[] KubeletPvcStatusFields = ["capacity", "conditions", "allocatedResourceStatuses", "allocatedResources"];

    private static readonly Resources.ResourceType Pods = Resources.ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly Resources.ResourceType Nodes = Resources.ResourceCatalog.Find("", "v1", "nodes")!;

    public Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        request.Operation == AdmissionOperation.Delete ? Task.CompletedTask : CheckAsync(request, cancellationToken);

    public Task ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken) =>
        request.Operation == AdmissionOperation.Delete ? CheckAsync(request, cancellationToken) : Task.CompletedTask;

    private async Task CheckAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.User is not { } user || !NodeIdentity.IsNode(user.Name, user.Groups, out var node))
        {
            return;
        }
        if (node.Length == 0)
        {
            throw Forbidden(request, $"could not determine node from user \"{user.Name}\"");
        }
        switch (request.Type.Group, request.Type.Name)
        {
            case ("", "pods"):
                await PodAsync(node, request, cancellationToken);
                break;
            case ("", "nodes"):
                Node(node, request);
                break;
            case ("", "persistentvolumeclaims"):
                if (request.Subresource != "status")
                {
                    throw Forbidden(request, "may only update PVC status");
                }
                ClaimStatus(node, request);
                break;
            case ("", "serviceaccounts"):
                await TokenAsync(node, request, cancellationToken);
                break;
            case ("coordination.k8s.io", "leases"):
                if (request.Namespace != NodeLeaseNamespace)
                {
                    throw Forbidden(request, $"can only access leases in the \"{NodeLeaseNamespace}\" system namespace");
                }
                if (request.Name != node)
                {
                    throw Forbidden(request, "can only access node lease with the same name as the requesting node");
                }
                break;
            case ("storage.k8s.io", "csinodes"):
                if (request.Name != node)
                {
                    throw Forbidden(request, "can only access CSINode with the same name as the requesting node");
                }
                break;
        }
    }

    private async Task PodAsync(string node, AdmissionRequest request, CancellationToken cancellationToken)
    {
        switch (request.Subresource, request.Operation)
        {
            case (null, AdmissionOperation.Create):
                await MirrorPodAsync(node, request, cancellationToken);
                break;
            case (null, AdmissionOperation.Delete):
                if (request.Object.Obj("spec").StrOrEmpty("nodeName") != node)
                {
                    throw Forbidden(request, $"node \"{node}\" can only delete pods with spec.nodeName set to itself");
                }
                break;
            case (null, var operation):
                throw Forbidden(request, $"unexpected operation \"{OperationName(operation)}\", node \"{node}\" can only create and delete mirror pods");
            case ("status", AdmissionOperation.Update):
                if (request.OldObject.Obj("spec").StrOrEmpty("nodeName") != node)
                {
                    throw Forbidden(request, $"node \"{node}\" can only update pod status for pods with spec.nodeName set to itself");
                }
                if (!SameMap(request.OldObject.Obj("metadata").Obj("labels"), request.Object.Obj("metadata").Obj("labels")))
                {
                    throw Forbidden(request, $"node \"{node}\" cannot update labels through pod status");
                }
                if (!SameList(request.OldObject.Obj("status")?["resourceClaimStatuses"], request.Object.Obj("status")?["resourceClaimStatuses"]))
                {
                    throw Forbidden(request, $"node \"{node}\" cannot update resource claim statues");
                }
                break;
            case ("status", var operation):
                throw Forbidden(request, $"unexpected operation \"{OperationName(operation)}\"");
            case ("eviction", AdmissionOperation.Create):
                // The pod named in the URL (the registry checked the Eviction names the same).
                var pod = await PodAsync(request.Namespace ?? "", request.Name, cancellationToken);
                if (pod.Obj("spec").StrOrEmpty("nodeName") != node)
                {
                    throw Forbidden(request, $"node {node} can only evict pods with spec.nodeName set to itself");
                }
                break;
            case ("eviction", var operation):
                throw Forbidden(request, $"unexpected operation {OperationName(operation)}");
            case ({ } other, _):
                throw Forbidden(request, $"unexpected pod subresource \"{other}\", only 'status' and 'eviction' are allowed");
        }
    }

    // admitPodCreate: a mirror pod bound to the node, owned by its Node, naming no other object.
    private async Task MirrorPodAsync(string node, AdmissionRequest request, CancellationToken cancellationToken)
    {
        var pod = request.Object;
        var spec = pod.Obj("spec");
        if (!PodReferences.IsMirror(pod))
        {
            throw Forbidden(request, $"pod does not have \"{PodReferences.MirrorAnnotation}\" annotation, node \"{node}\" can only create mirror pods");
        }
        if (spec.StrOrEmpty("nodeName") != node)
        {
            throw Forbidden(request, $"node \"{node}\" can only create pods with spec.nodeName set to itself");
        }
        var owners = pod.Obj("metadata").Arr("ownerReferences")?.OfType<JsonObject>().ToList() ?? [];
        if (owners.Count > 1)
        {
            throw Forbidden(request, $"node \"{node}\" can only create pods with a single owner reference set to itself");
        }
        if (owners.Count == 0 || owners[0].StrOrEmpty("apiVersion") != "v1" || owners[0].StrOrEmpty("kind") != "Node" || owners[0].StrOrEmpty("name") != node)
        {
            throw Forbidden(request, $"node \"{node}\" can only create pods with an owner reference set to itself");
        }
        var owner = owners[0];
        if (owner.Bool("controller") != true)
        {
            throw Forbidden(request, $"node \"{node}\" can only create pods with a controller owner reference set to itself");
        }
        if (owner.Bool("blockOwnerDeletion") == true)
        {
            throw Forbidden(request, $"node \"{node}\" must not set blockOwnerDeletion on an owner reference");
        }
        var nodeObject = await reads.GetAsync(Nodes, null, node, cancellationToken) is { } kv
            ? ObjectCodec.Decode(kv.Value, kv.ModRevision)
            : throw ApiException.NotFound(new ListerResource("node"), node);
        var uid = ObjectMeta.Uid(nodeObject) ?? "";
        if (owner.StrOrEmpty("uid") != uid)
        {
            throw Forbidden(request, $"node {node} UID mismatch: expected {owner.StrOrEmpty("uid")} got {uid}");
        }
        if (spec.StrOrEmpty("serviceAccountName").Length > 0)
        {
            throw Forbidden(request, $"node \"{node}\" can not create pods that reference a service account");
        }
        if (PodReferences.SecretNames(pod).Any())
        {
            throw Forbidden(request, $"node \"{node}\" can not create pods that reference secrets");
        }
        if (PodReferences.ConfigMapNames(pod).Any())
        {
            throw Forbidden(request, $"node \"{node}\" can not create pods that reference configmaps");
        }
        var volumes = spec.Items("volumes").Select(v => v.Item).ToList();
        if (volumes.Any(v => v.Obj("projected").Items("sources").Any(s => s.Item.Has("clusterTrustBundle"))))
        {
            throw Forbidden(request, $"node \"{node}\" can not create pods that reference clustertrustbundles");
        }
        if (volumes.Any(v => v.Has("persistentVolumeClaim")))
        {
            throw Forbidden(request, $"node \"{node}\" can not create pods that reference persistentvolumeclaims");
        }
    }

    // admitNode: its own Node; no configSource, taint or restricted label changes.
    private static void Node(string node, AdmissionRequest request)
    {
        if (request.Name != node)
        {
            throw Forbidden(request, $"node \"{node}\" is not allowed to modify node \"{request.Name}\"");
        }
        var spec = request.Object.Obj("spec");
        var metadata = request.Object.Obj("metadata");
        switch (request.Operation)
        {
            case AdmissionOperation.Create:
                if (spec?["configSource"] is not null)
                {
                    throw Forbidden(request, $"node \"{node}\" is not allowed to create pods with a non-nil configSource");
                }
                if (ForbiddenLabels(ChangedLabels(metadata, null)) is { Count: > 0 } set)
                {
                    throw Forbidden(request, $"node \"{node}\" is not allowed to set the following labels: {string.Join(", ", set)}");
                }
                break;
            case AdmissionOperation.Update:
                var oldSpec = request.OldObject.Obj("spec");
                if (spec?["configSource"] is { } source && !JsonNode.DeepEquals(source, oldSpec?["configSource"]))
                {
                    throw Forbidden(request, $"node \"{node}\" is not allowed to update configSource to a new non-nil configSource");
                }
                if (!SameList(spec?["taints"], oldSpec?["taints"]))
                {
                    throw Forbidden(request, $"node \"{node}\" is not allowed to modify taints");
                }
                if (ForbiddenLabels(ChangedLabels(metadata, request.OldObject.Obj("metadata"))) is { Count: > 0 } changed)
                {
                    throw Forbidden(request, $"is not allowed to modify labels: {string.Join(", ", changed)}");
                }
                break;
        }
    }

    // admitPVCStatus: nothing but the status fields a kubelet reports may change.
    private static void ClaimStatus(string node, AdmissionRequest request)
    {
        if (request.Operation != AdmissionOperation.Update)
        {
            throw Forbidden(request, $"unexpected operation \"{OperationName(request.Operation)}\"");
        }
        var changed = ComparablePvc(request.OldObject!);
        var proposed = ComparablePvc(request.Object);
        if (!JsonNode.DeepEquals(changed, proposed))
        {
            // Upstream appends cmp.Diff of the two objects; we name the two versions instead.
            throw Forbidden(request, $"node \"{node}\" is not allowed to update fields other than status.capacity and status.conditions: {changed.ToJsonString()} != {proposed.ToJsonString()}");
        }
    }

    // admitServiceAccount: a token bound to one of the node's pods, by the pod's current uid.
    private async Task TokenAsync(string node, AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != AdmissionOperation.Create || request.Subresource != "token")
        {
            return;
        }
        var reference = request.Object.Obj("spec").Obj("boundObjectRef");
        var podName = reference.StrOrEmpty("name");
        if (reference is null || reference.StrOrEmpty("apiVersion") != "v1" || reference.StrOrEmpty("kind") != "Pod" || podName.Length == 0)
        {
            throw Forbidden(request, "node requested token not bound to a pod");
        }
        var uid = reference.StrOrEmpty("uid");
        if (uid.Length == 0)
        {
            throw Forbidden(request, "node requested token with a pod binding without a uid");
        }
        var pod = await PodAsync(request.Namespace ?? "", podName, cancellationToken);
        if (uid != ObjectMeta.Uid(pod))
        {
            throw Forbidden(request, $"the UID in the bound object reference ({uid}) does not match the UID in record. The object might have been deleted and then recreated");
        }
        if (pod.Obj("spec").StrOrEmpty("nodeName") != node)
        {
            throw Forbidden(request, "node requested token bound to a pod scheduled on a different node");
        }
    }

    // The lister's answer: the pod, or its NotFound (singular resource, as the generated listers name it).
    private async Task<JsonObject> PodAsync(string ns, string name, CancellationToken cancellationToken) =>
        await reads.GetAsync(Pods, ns, name, cancellationToken) is { } kv
            ? ObjectCodec.Decode(kv.Value, kv.ModRevision)
            : throw ApiException.NotFound(new ListerResource("pod"), name);

    // getModifiedLabels: keys added, removed or changed.
    private static SortedSet<string> ChangedLabels(JsonObject? metadata, JsonObject? oldMetadata)
    {
        var now = metadata.StringMap("labels").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var before = oldMetadata.StringMap("labels").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        changed.UnionWith(now.Where(kv => !before.TryGetValue(kv.Key, out var value) || value != kv.Value).Select(kv => kv.Key));
        changed.UnionWith(before.Keys.Where(k => !now.ContainsKey(k)));
        return changed;
    }

    // getForbiddenLabels: node-restriction labels, and kubernetes.io or k8s.io labels the kubelet does not own.
    private static List<string> ForbiddenLabels(SortedSet<string> changed) =>
        changed.Where(label => InNamespace(LabelNamespace(label), NodeRestrictionLabels) || (IsKubernetesLabel(label) && !IsKubeletLabel(label))).ToList();

    private static bool IsKubernetesLabel(string label)
    {
        var ns = LabelNamespace(label);
        return InNamespace(ns, "kubernetes.io") || InNamespace(ns, "k8s.io");
    }

    private static bool IsKubeletLabel(string label) =>
        KubeletLabels.Contains(label) || KubeletLabelNamespaces.Any(allowed => InNamespace(LabelNamespace(label), allowed));

    private static bool InNamespace(string ns, string domain) =>
        ns == domain || ns.EndsWith("." + domain, StringComparison.Ordinal);

    private static string LabelNamespace(string key) => key.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? key[..slash] : "";

    // A PVC with what the kubelet may change (and resourceVersion, managedFields) left out.
    private static JsonObject ComparablePvc(JsonObject pvc)
    {
        var copy = (JsonObject)pvc.DeepClone();
        if (copy.Obj("metadata") is { } metadata)
        {
            metadata.Remove("resourceVersion");
            metadata.Remove("managedFields");
        }
        if (copy.Obj("status") is { } status)
        {
            foreach (var field in KubeletPvcStatusFields)
            {
                status.Remove(field);
            }
        }
        return copy;
    }

    // Semantic equality of lists: absent, null and empty are one.
    private static bool SameList(JsonNode? a, JsonNode? b) =>
        (a is not JsonArray { Count: > 0 } && b is not JsonArray { Count: > 0 }) || JsonNode.DeepEquals(a, b);

    private static bool SameMap(JsonObject? a, JsonObject? b) =>
        (a is not { Count: > 0 } && b is not { Count: > 0 }) || JsonNode.DeepEquals(a, b);

    private static string OperationName(AdmissionOperation operation) => operation.ToString().ToUpperInvariant();

    // admission.NewForbidden: the resource and the request's name (or the object's, or its generateName, or "Unknown").
    private static ApiException Forbidden(AdmissionRequest request, string reason)
    {
        var name = request.Name.Length > 0 ? request.Name
            : request.Object.Obj("metadata").Str("generateName") is { Length: > 0 } generated ? generated
            : "Unknown";
        return ApiException.Forbidden(request.Type, name, reason);
    }

    // The resource as a generated lister names it in its NotFound.
    private sealed record ListerResource(string Name) : IApiResource
    {
        public string Group => "";

        public string Kind => Name;

        public string QualifiedName => Name;
    }
}
