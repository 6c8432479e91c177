using k8s.Models;

namespace MiniKube.ApiServer.Protobuf;

// Messages of meta/v1 shared by every kind.
// Field numbers and JSON names are the protobuf and json struct tags of kubernetes/apimachinery pkg/apis/meta/v1/types.go.
internal static partial class FieldTables
{
    private static Dictionary<Type, string> MetaMessages() => new()
    {
        [typeof(V1DeleteOptions)] =
            "1:gracePeriodSeconds? 2:preconditions 3:orphanDependents? 4:propagationPolicy? 5:dryRun " +
            "6:ignoreStoreReadErrorWithClusterBreakingPotential?",
        [typeof(V1Preconditions)] = "1:uid? 2:resourceVersion?",
        [typeof(V1ObjectMeta)] =
            "1:name 2:generateName 3:namespace 4:selfLink 5:uid 6:resourceVersion 7:generation 8:creationTimestamp " +
            "9:deletionTimestamp 10:deletionGracePeriodSeconds? 11:labels 12:annotations 13:ownerReferences 14:finalizers " +
            "17:managedFields",
        [typeof(V1OwnerReference)] = "5:apiVersion? 1:kind? 3:name? 4:uid? 6:controller? 7:blockOwnerDeletion?",
        [typeof(V1ManagedFieldsEntry)] = "1:manager 2:operation 3:apiVersion 4:time 6:fieldsType 7:fieldsV1 8:subresource",
        [typeof(V1Condition)] = "1:type? 2:status? 3:observedGeneration 4:lastTransitionTime 5:reason? 6:message?",
        [typeof(V1LabelSelector)] = "1:matchLabels 2:matchExpressions",
        [typeof(V1LabelSelectorRequirement)] = "1:key? 2:operator? 3:values",
        [typeof(V1FieldSelectorRequirement)] = "1:key? 2:operator? 3:values",
    };
}
