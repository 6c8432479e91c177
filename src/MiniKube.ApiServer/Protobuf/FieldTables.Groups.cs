using k8s.Models;

namespace MiniKube.ApiServer.Protobuf;

// Messages of the named groups: apps, batch, policy, autoscaling, coordination, discovery,
// storage, events, authentication, authorization, rbac, networking, scheduling.
// Field numbers and JSON names are the protobuf and json struct tags of kubernetes/api <group>/<version>/types.go.
internal static partial class FieldTables
{
    private static Dictionary<Type, string> GroupMessages() => new()
    {
        [typeof(V1Deployment)] = "1:metadata 2:spec 3:status",
        [typeof(V1DeploymentSpec)] =
            "1:replicas? 2:selector 3:template 4:strategy 5:minReadySeconds 6:revisionHistoryLimit? 7:paused " +
            "9:progressDeadlineSeconds?",
        [typeof(V1DeploymentStrategy)] = "1:type 2:rollingUpdate",
        [typeof(V1RollingUpdateDeployment)] = "1:maxUnavailable 2:maxSurge",
        [typeof(V1DeploymentStatus)] =
            "1:observedGeneration 2:replicas 3:updatedReplicas 7:readyReplicas 4:availableReplicas 5:unavailableReplicas " +
            "9:terminatingReplicas? 6:conditions 8:collisionCount?",
        [typeof(V1DeploymentCondition)] = "1:type? 2:status? 6:lastUpdateTime 7:lastTransitionTime 4:reason 5:message",
        [typeof(V1ReplicaSet)] = "1:metadata 2:spec 3:status",
        [typeof(V1ReplicaSetSpec)] = "1:replicas? 4:minReadySeconds 2:selector 3:template",
        [typeof(V1ReplicaSetStatus)] =
            "1:replicas? 2:fullyLabeledReplicas 4:readyReplicas 5:availableReplicas 7:terminatingReplicas? " +
            "3:observedGeneration 6:conditions",
        [typeof(V1ReplicaSetCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message",
        [typeof(V1StatefulSet)] = "1:metadata 2:spec 3:status",
        [typeof(V1StatefulSetSpec)] =
            "1:replicas? 2:selector 3:template 4:volumeClaimTemplates 5:serviceName? 6:podManagementPolicy 7:updateStrategy " +
            "8:revisionHistoryLimit? 9:minReadySeconds 10:persistentVolumeClaimRetentionPolicy 11:ordinals",
        [typeof(V1StatefulSetUpdateStrategy)] = "1:type 2:rollingUpdate",
        [typeof(V1RollingUpdateStatefulSetStrategy)] = "1:partition? 2:maxUnavailable",
        [typeof(V1StatefulSetPersistentVolumeClaimRetentionPolicy)] = "1:whenDeleted 2:whenScaled",
        [typeof(V1StatefulSetOrdinals)] = "1:start?",
        [typeof(V1StatefulSetStatus)] =
            "1:observedGeneration 2:replicas? 3:readyReplicas 4:currentReplicas 5:updatedReplicas 6:currentRevision " +
            "7:updateRevision 9:collisionCount? 10:conditions 11:availableReplicas?",
        [typeof(V1StatefulSetCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message",
        [typeof(V1DaemonSet)] = "1:metadata 2:spec 3:status",
        [typeof(V1DaemonSetSpec)] = "1:selector 2:template 3:updateStrategy 4:minReadySeconds 6:revisionHistoryLimit?",
        [typeof(V1DaemonSetUpdateStrategy)] = "1:type 2:rollingUpdate",
        [typeof(V1RollingUpdateDaemonSet)] = "1:maxUnavailable 2:maxSurge",
        [typeof(V1DaemonSetStatus)] =
            "1:currentNumberScheduled? 2:numberMisscheduled? 3:desiredNumberScheduled? 4:numberReady? 5:observedGeneration " +
            "6:updatedNumberScheduled 7:numberAvailable 8:numberUnavailable 9:collisionCount? 10:conditions",
        [typeof(V1DaemonSetCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message",
        [typeof(V1ControllerRevision)] = "1:metadata 2:data 3:revision?",
        [typeof(V1Job)] = "1:metadata 2:spec 3:status",
        [typeof(V1JobSpec)] =
            "1:parallelism? 2:completions? 3:activeDeadlineSeconds? 11:podFailurePolicy 16:successPolicy 7:backoffLimit? " +
            "12:backoffLimitPerIndex? 13:maxFailedIndexes? 4:selector 5:manualSelector? 6:template " +
            "8:ttlSecondsAfterFinished? 9:completionMode? 10:suspend? 14:podReplacementPolicy? 15:managedBy?",
        [typeof(V1PodFailurePolicy)] = "1:rules",
        [typeof(V1PodFailurePolicyRule)] = "1:action? 2:onExitCodes 3:onPodConditions",
        [typeof(V1PodFailurePolicyOnExitCodesRequirement)] = "1:containerName? 2:operator? 3:values",
        [typeof(V1PodFailurePolicyOnPodConditionsPattern)] = "1:type? 2:status?",
        [typeof(V1SuccessPolicy)] = "1:rules",
        [typeof(V1SuccessPolicyRule)] = "1:succeededIndexes? 2:succeededCount?",
        [typeof(V1JobStatus)] =
            "1:conditions 2:startTime 3:completionTime 4:active 5:succeeded 6:failed 11:terminating? 7:completedIndexes " +
            "10:failedIndexes? 8:uncountedTerminatedPods 9:ready?",
        [typeof(V1JobCondition)] = "1:type? 2:status? 3:lastProbeTime 4:lastTransitionTime 5:reason 6:message",
        [typeof(V1UncountedTerminatedPods)] = "1:succeeded 2:failed",
        [typeof(V1CronJob)] = "1:metadata 2:spec 3:status",
        [typeof(V1CronJobSpec)] =
            "1:schedule? 8:timeZone? 2:startingDeadlineSeconds? 3:concurrencyPolicy 4:suspend? 5:jobTemplate " +
            "6:successfulJobsHistoryLimit? 7:failedJobsHistoryLimit?",
        [typeof(V1JobTemplateSpec)] = "1:metadata 2:spec",
        [typeof(V1CronJobStatus)] = "1:active 4:lastScheduleTime 5:lastSuccessfulTime",
        [typeof(V1Eviction)] = "1:metadata 2:deleteOptions",
        [typeof(V1PodDisruptionBudget)] = "1:metadata 2:spec 3:status",
        [typeof(V1PodDisruptionBudgetSpec)] = "1:minAvailable 2:selector 3:maxUnavailable 4:unhealthyPodEvictionPolicy?",
        [typeof(V1PodDisruptionBudgetStatus)] =
            "1:observedGeneration 2:disruptedPods 3:disruptionsAllowed? 4:currentHealthy? 5:desiredHealthy? 6:expectedPods? " +
            "7:conditions",
        [typeof(V1Scale)] = "1:metadata 2:spec 3:status",
        [typeof(V1ScaleSpec)] = "1:replicas",
        [typeof(V1ScaleStatus)] = "1:replicas? 2:selector",
        [typeof(V1HorizontalPodAutoscaler)] = "1:metadata 2:spec 3:status",
        [typeof(V1HorizontalPodAutoscalerSpec)] = "1:scaleTargetRef 2:minReplicas? 3:maxReplicas? 4:targetCPUUtilizationPercentage?",
        [typeof(V1CrossVersionObjectReference)] = "1:kind? 2:name? 3:apiVersion",
        [typeof(V1HorizontalPodAutoscalerStatus)] = "1:observedGeneration? 2:lastScaleTime 3:currentReplicas? 4:desiredReplicas? 5:currentCPUUtilizationPercentage?",
        [typeof(V2HorizontalPodAutoscaler)] = "1:metadata 2:spec 3:status",
        [typeof(V2HorizontalPodAutoscalerSpec)] = "1:scaleTargetRef 2:minReplicas? 3:maxReplicas? 4:metrics 5:behavior",
        [typeof(V2CrossVersionObjectReference)] = "1:kind? 2:name? 3:apiVersion",
        [typeof(V2MetricSpec)] = "1:type? 2:object 3:pods 4:resource 7:containerResource 5:external",
        [typeof(V2ObjectMetricSource)] = "1:describedObject 2:target 3:metric",
        [typeof(V2MetricTarget)] = "1:type? 2:value 3:averageValue 4:averageUtilization?",
        [typeof(V2MetricIdentifier)] = "1:name? 2:selector",
        [typeof(V2PodsMetricSource)] = "1:metric 2:target",
        [typeof(V2ResourceMetricSource)] = "1:name? 2:target",
        [typeof(V2ContainerResourceMetricSource)] = "1:name? 2:target 3:container?",
        [typeof(V2ExternalMetricSource)] = "1:metric 2:target",
        [typeof(V2HorizontalPodAutoscalerBehavior)] = "1:scaleUp 2:scaleDown",
        [typeof(V2HPAScalingRules)] = "3:stabilizationWindowSeconds? 1:selectPolicy? 2:policies 4:tolerance",
        [typeof(V2HPAScalingPolicy)] = "1:type? 2:value? 3:periodSeconds?",
        [typeof(V2HorizontalPodAutoscalerStatus)] = "1:observedGeneration? 2:lastScaleTime 3:currentReplicas 4:desiredReplicas? 5:currentMetrics 6:conditions",
        [typeof(V2MetricStatus)] = "1:type? 2:object 3:pods 4:resource 7:containerResource 5:external",
        [typeof(V2ObjectMetricStatus)] = "1:metric 2:current 3:describedObject",
        [typeof(V2MetricValueStatus)] = "1:value 2:averageValue 3:averageUtilization?",
        [typeof(V2PodsMetricStatus)] = "1:metric 2:current",
        [typeof(V2ResourceMetricStatus)] = "1:name? 2:current",
        [typeof(V2ContainerResourceMetricStatus)] = "1:name? 2:current 3:container?",
        [typeof(V2ExternalMetricStatus)] = "1:metric 2:current",
        [typeof(V2HorizontalPodAutoscalerCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message 6:observedGeneration?",
        [typeof(V1Lease)] = "1:metadata 2:spec",
        [typeof(V1LeaseSpec)] =
            "1:holderIdentity? 2:leaseDurationSeconds? 3:acquireTime~ 4:renewTime~ 5:leaseTransitions? 6:strategy? " +
            "7:preferredHolder?",
        [typeof(V1EndpointSlice)] = "1:metadata 4:addressType? 2:endpoints 3:ports",
        [typeof(V1Endpoint)] = "1:addresses 2:conditions 3:hostname? 4:targetRef 5:deprecatedTopology 6:nodeName? 7:zone? 8:hints",
        [typeof(V1EndpointConditions)] = "1:ready? 2:serving? 3:terminating?",
        [typeof(V1EndpointHints)] = "1:forZones 2:forNodes",
        [typeof(V1ForZone)] = "1:name?",
        [typeof(V1ForNode)] = "1:name?",
        [typeof(Discoveryv1EndpointPort)] = "1:name? 2:protocol? 3:port? 4:appProtocol?",
        [typeof(V1StorageClass)] =
            "1:metadata 2:provisioner? 3:parameters 4:reclaimPolicy? 5:mountOptions 6:allowVolumeExpansion? " +
            "7:volumeBindingMode? 8:allowedTopologies",
        [typeof(Eventsv1Event)] =
            "1:metadata 2:eventTime~ 3:series 4:reportingController 5:reportingInstance 6:action 7:reason 8:regarding " +
            "9:related 10:note 11:type 12:deprecatedSource 13:deprecatedFirstTimestamp 14:deprecatedLastTimestamp " +
            "15:deprecatedCount",
        [typeof(Eventsv1EventSeries)] = "1:count? 2:lastObservedTime~",
        [typeof(Authenticationv1TokenRequest)] = "1:metadata 2:spec 3:status",
        [typeof(V1TokenRequestSpec)] = "1:audiences 4:expirationSeconds? 3:boundObjectRef 5:attestations",
        [typeof(V1BoundObjectReference)] = "1:kind 2:apiVersion 3:name 4:uid",
        [typeof(V1TokenRequestStatus)] = "1:token? 2:expirationTimestamp",
        [typeof(V1SelfSubjectReview)] = "1:metadata 2:status",
        [typeof(V1SelfSubjectReviewStatus)] = "1:userInfo",
        [typeof(V1UserInfo)] = "1:username 2:uid 3:groups 4:extra",
        [typeof(V1TokenReview)] = "1:metadata 2:spec 3:status",
        [typeof(V1TokenReviewSpec)] = "1:token 2:audiences",
        [typeof(V1TokenReviewStatus)] = "1:authenticated 2:user 4:audiences 3:error",
        [typeof(V1SelfSubjectAccessReview)] = "1:metadata 2:spec 3:status",
        [typeof(V1SelfSubjectAccessReviewSpec)] = "1:resourceAttributes 2:nonResourceAttributes",
        [typeof(V1ResourceAttributes)] = "1:namespace 2:verb 3:group 4:version 5:resource 6:subresource 7:name 8:fieldSelector 9:labelSelector",
        [typeof(V1FieldSelectorAttributes)] = "1:rawSelector 2:requirements",
        [typeof(V1LabelSelectorAttributes)] = "1:rawSelector 2:requirements",
        [typeof(V1NonResourceAttributes)] = "1:path 2:verb",
        [typeof(V1SubjectAccessReviewStatus)] = "1:allowed? 4:denied 2:reason 3:evaluationError",
        [typeof(V1SubjectAccessReview)] = "1:metadata 2:spec 3:status",
        [typeof(V1SubjectAccessReviewSpec)] = "1:resourceAttributes 2:nonResourceAttributes 3:user 4:groups 5:extra 6:uid",
        [typeof(V1SelfSubjectRulesReview)] = "1:metadata 2:spec 3:status",
        [typeof(V1SelfSubjectRulesReviewSpec)] = "1:namespace",
        [typeof(V1SubjectRulesReviewStatus)] = "1:resourceRules 2:nonResourceRules 3:incomplete? 4:evaluationError",
        [typeof(V1ResourceRule)] = "1:verbs 2:apiGroups 3:resources 4:resourceNames",
        [typeof(V1NonResourceRule)] = "1:verbs 2:nonResourceURLs",
        [typeof(V1Role)] = "1:metadata 2:rules",
        [typeof(V1PolicyRule)] = "1:verbs 2:apiGroups 3:resources 4:resourceNames 5:nonResourceURLs",
        [typeof(V1ClusterRole)] = "1:metadata 2:rules 3:aggregationRule",
        [typeof(V1AggregationRule)] = "1:clusterRoleSelectors",
        [typeof(V1RoleBinding)] = "1:metadata 2:subjects 3:roleRef",
        [typeof(Rbacv1Subject)] = "1:kind? 2:apiGroup 3:name? 4:namespace",
        [typeof(V1RoleRef)] = "1:apiGroup? 2:kind? 3:name?",
        [typeof(V1ClusterRoleBinding)] = "1:metadata 2:subjects 3:roleRef",
        [typeof(V1Ingress)] = "1:metadata 2:spec 3:status",
        [typeof(V1IngressSpec)] = "4:ingressClassName? 1:defaultBackend 2:tls 3:rules",
        [typeof(V1IngressBackend)] = "4:service 3:resource",
        [typeof(V1IngressServiceBackend)] = "1:name? 2:port",
        [typeof(V1ServiceBackendPort)] = "1:name 2:number",
        [typeof(V1IngressTLS)] = "1:hosts 2:secretName",
        [typeof(V1IngressRule)] = "1:host 2>IngressRuleValue",
        [typeof(V1HTTPIngressRuleValue)] = "1:paths",
        [typeof(V1HTTPIngressPath)] = "1:path 3:pathType? 2:backend",
        [typeof(V1IngressStatus)] = "1:loadBalancer",
        [typeof(V1IngressLoadBalancerStatus)] = "1:ingress",
        [typeof(V1IngressLoadBalancerIngress)] = "1:ip 2:hostname 4:ports",
        [typeof(V1IngressPortStatus)] = "1:port? 2:protocol? 3:error?",
        [typeof(V1IngressClass)] = "1:metadata 2:spec",
        [typeof(V1IngressClassSpec)] = "1:controller 2:parameters",
        [typeof(V1IngressClassParametersReference)] = "1:apiGroup? 2:kind? 3:name? 4:scope? 5:namespace?",
        [typeof(V1NetworkPolicy)] = "1:metadata 2:spec",
        [typeof(V1NetworkPolicySpec)] = "1:podSelector 2:ingress 3:egress 4:policyTypes",
        [typeof(V1NetworkPolicyIngressRule)] = "1:ports 2:from",
        [typeof(V1NetworkPolicyPort)] = "1:protocol? 2:port 3:endPort?",
        [typeof(V1NetworkPolicyPeer)] = "1:podSelector 2:namespaceSelector 3:ipBlock",
        [typeof(V1IPBlock)] = "1:cidr? 2:except",
        [typeof(V1NetworkPolicyEgressRule)] = "1:ports 2:to",
        [typeof(V1PriorityClass)] = "1:metadata 2:value? 3:globalDefault 4:description 5:preemptionPolicy?",
        [typeof(V1LocalSubjectAccessReview)] = "1:metadata 2:spec 3:status",
        [typeof(V1RuntimeClass)] = "1:metadata 2:handler? 3:overhead 4:scheduling",
        [typeof(V1Overhead)] = "1:podFixed",
        [typeof(V1Scheduling)] = "1:nodeSelector 2:tolerations",
        [typeof(V1CSIDriver)] = "1:metadata 2:spec",
        [typeof(V1CSIDriverSpec)] =
            "1:attachRequired? 2:podInfoOnMount? 3:volumeLifecycleModes 4:storageCapacity? 5:fsGroupPolicy? 6:tokenRequests " +
            "7:requiresRepublish? 8:seLinuxMount? 9:nodeAllocatableUpdatePeriodSeconds?",
        [typeof(Storagev1TokenRequest)] = "1:audience? 2:expirationSeconds?",
        [typeof(V1CSINode)] = "1:metadata 2:spec",
        [typeof(V1CSINodeSpec)] = "1:drivers",
        [typeof(V1CSINodeDriver)] = "1:name? 2:nodeID? 3:topologyKeys 4:allocatable",
        [typeof(V1VolumeNodeResources)] = "1:count?",
        [typeof(V1VolumeAttachment)] = "1:metadata 2:spec 3:status",
        [typeof(V1VolumeAttachmentSpec)] = "1:attacher? 2:source 3:nodeName?",
        [typeof(V1VolumeAttachmentSource)] = "1:persistentVolumeName? 2:inlineVolumeSpec",
        [typeof(V1VolumeAttachmentStatus)] = "1:attached? 2:attachmentMetadata 3:attachError 4:detachError",
        [typeof(V1VolumeError)] = "1:time 2:message 3:errorCode?",
        [typeof(V1CertificateSigningRequest)] = "1:metadata 2:spec 3:status",
        [typeof(V1CertificateSigningRequestSpec)] = "1:request? 7:signerName? 8:expirationSeconds? 5:usages 2:username 3:uid 4:groups",
        [typeof(V1CertificateSigningRequestStatus)] = "1:conditions 2:certificate",
        [typeof(V1CertificateSigningRequestCondition)] = "1:type? 6:status? 2:reason 3:message 4:lastUpdateTime 5:lastTransitionTime",
    };
}
