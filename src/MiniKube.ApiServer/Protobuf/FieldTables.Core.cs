using k8s.Models;

namespace MiniKube.ApiServer.Protobuf;

// Messages of the core (legacy) group.
// Field numbers and JSON names are the protobuf and json struct tags of kubernetes/api core/v1/types.go.
internal static partial class FieldTables
{
    private static Dictionary<Type, string> CoreMessages() => new()
    {
        [typeof(V1Namespace)] = "1:metadata 2:spec 3:status",
        [typeof(V1NamespaceSpec)] = "1:finalizers",
        [typeof(V1NamespaceStatus)] = "1:phase 2:conditions",
        [typeof(V1NamespaceCondition)] = "1:type? 2:status? 4:lastTransitionTime 5:reason 6:message",
        [typeof(V1ConfigMap)] = "1:metadata 4:immutable? 2:data 3:binaryData",
        [typeof(V1Secret)] = "1:metadata 5:immutable? 2:data 4:stringData 3:type",
        [typeof(V1Service)] = "1:metadata 2:spec 3:status",
        [typeof(V1ServiceSpec)] =
            "1:ports 2:selector 3:clusterIP 18:clusterIPs 4:type 5:externalIPs 7:sessionAffinity 8:loadBalancerIP " +
            "9:loadBalancerSourceRanges 10:externalName 11:externalTrafficPolicy 12:healthCheckNodePort " +
            "13:publishNotReadyAddresses 14:sessionAffinityConfig 19:ipFamilies 17:ipFamilyPolicy? " +
            "20:allocateLoadBalancerNodePorts? 21:loadBalancerClass? 22:internalTrafficPolicy? 23:trafficDistribution?",
        [typeof(V1ServicePort)] = "1:name 2:protocol 6:appProtocol? 3:port? 4:targetPort 5:nodePort",
        [typeof(V1SessionAffinityConfig)] = "1:clientIP",
        [typeof(V1ClientIPConfig)] = "1:timeoutSeconds?",
        [typeof(V1ServiceStatus)] = "1:loadBalancer 2:conditions",
        [typeof(V1LoadBalancerStatus)] = "1:ingress",
        [typeof(V1LoadBalancerIngress)] = "1:ip 2:hostname 3:ipMode? 4:ports",
        [typeof(V1PortStatus)] = "1:port? 2:protocol? 3:error?",
        [typeof(V1Pod)] = "1:metadata 2:spec 3:status",
        [typeof(V1PodSpec)] =
            "1:volumes 20:initContainers 2:containers 34:ephemeralContainers 3:restartPolicy " +
            "4:terminationGracePeriodSeconds? 5:activeDeadlineSeconds? 6:dnsPolicy 7:nodeSelector 8:serviceAccountName " +
            "9:serviceAccount 21:automountServiceAccountToken? 10:nodeName 11:hostNetwork 12:hostPID 13:hostIPC " +
            "27:shareProcessNamespace? 14:securityContext 15:imagePullSecrets 16:hostname 17:subdomain 18:affinity " +
            "19:schedulerName 22:tolerations 23:hostAliases 24:priorityClassName 25:priority? 26:dnsConfig 28:readinessGates " +
            "29:runtimeClassName? 30:enableServiceLinks? 31:preemptionPolicy? 32:overhead 33:topologySpreadConstraints " +
            "35:setHostnameAsFQDN? 36:os 37:hostUsers? 38:schedulingGates 39:resourceClaims 40:resources " +
            "41:hostnameOverride? 43:schedulingGroup 44:evictionResponders",
        [typeof(V1Volume)] = "1:name? 2>VolumeSource",
        [typeof(V1HostPathVolumeSource)] = "1:path? 2:type?",
        [typeof(V1EmptyDirVolumeSource)] = "1:medium 2:sizeLimit 3:mode?",
        [typeof(V1GCEPersistentDiskVolumeSource)] = "1:pdName? 2:fsType 3:partition 4:readOnly",
        [typeof(V1AWSElasticBlockStoreVolumeSource)] = "1:volumeID? 2:fsType 3:partition 4:readOnly",
        [typeof(V1GitRepoVolumeSource)] = "1:repository? 2:revision 3:directory",
        [typeof(V1SecretVolumeSource)] = "1:secretName 2:items 3:defaultMode? 4:optional? 5:defaultUser?",
        [typeof(V1KeyToPath)] = "1:key? 2:path? 3:mode? 4:user?",
        [typeof(V1NFSVolumeSource)] = "1:server? 2:path? 3:readOnly",
        [typeof(V1ISCSIVolumeSource)] =
            "1:targetPortal? 2:iqn? 3:lun? 4:iscsiInterface 5:fsType 6:readOnly 7:portals 8:chapAuthDiscovery " +
            "11:chapAuthSession 10:secretRef 12:initiatorName?",
        [typeof(V1LocalObjectReference)] = "1:name",
        [typeof(V1GlusterfsVolumeSource)] = "1:endpoints? 2:path? 3:readOnly",
        [typeof(V1PersistentVolumeClaimVolumeSource)] = "1:claimName? 2:readOnly",
        [typeof(V1RBDVolumeSource)] = "1:monitors 2:image? 3:fsType 4:pool 5:user 6:keyring 7:secretRef 8:readOnly",
        [typeof(V1FlexVolumeSource)] = "1:driver? 2:fsType 3:secretRef 4:readOnly 5:options",
        [typeof(V1CinderVolumeSource)] = "1:volumeID? 2:fsType 3:readOnly 4:secretRef",
        [typeof(V1CephFSVolumeSource)] = "1:monitors 2:path 3:user 4:secretFile 5:secretRef 6:readOnly",
        [typeof(V1FlockerVolumeSource)] = "1:datasetName 2:datasetUUID",
        [typeof(V1DownwardAPIVolumeSource)] = "1:items 2:defaultMode? 3:defaultUser?",
        [typeof(V1DownwardAPIVolumeFile)] = "1:path? 2:fieldRef 3:resourceFieldRef 4:mode? 5:user?",
        [typeof(V1ObjectFieldSelector)] = "1:apiVersion 2:fieldPath?",
        [typeof(V1ResourceFieldSelector)] = "1:containerName 2:resource? 3:divisor",
        [typeof(V1FCVolumeSource)] = "1:targetWWNs 2:lun? 3:fsType 4:readOnly 5:wwids",
        [typeof(V1AzureFileVolumeSource)] = "1:secretName? 2:shareName? 3:readOnly",
        [typeof(V1ConfigMapVolumeSource)] = "1>LocalObjectReference 2:items 3:defaultMode? 4:optional? 5:defaultUser?",
        [typeof(V1VsphereVirtualDiskVolumeSource)] = "1:volumePath? 2:fsType 3:storagePolicyName 4:storagePolicyID",
        [typeof(V1QuobyteVolumeSource)] = "1:registry? 2:volume? 3:readOnly 4:user 5:group 6:tenant",
        [typeof(V1AzureDiskVolumeSource)] = "1:diskName? 2:diskURI? 3:cachingMode? 4:fsType? 5:readOnly? 6:kind?",
        [typeof(V1PhotonPersistentDiskVolumeSource)] = "1:pdID? 2:fsType",
        [typeof(V1ProjectedVolumeSource)] = "1:sources 2:defaultMode? 3:defaultUser?",
        [typeof(V1VolumeProjection)] = "1:secret 2:downwardAPI 3:configMap 4:serviceAccountToken 5:clusterTrustBundle 6:podCertificate",
        [typeof(V1SecretProjection)] = "1>LocalObjectReference 2:items 4:optional?",
        [typeof(V1DownwardAPIProjection)] = "1:items",
        [typeof(V1ConfigMapProjection)] = "1>LocalObjectReference 2:items 4:optional?",
        [typeof(V1ServiceAccountTokenProjection)] = "1:audience 2:expirationSeconds? 3:path? 4:user?",
        [typeof(V1ClusterTrustBundleProjection)] = "1:name? 2:signerName? 3:labelSelector 5:optional? 4:path? 6:user?",
        [typeof(V1PodCertificateProjection)] =
            "1:signerName 2:keyType 3:maxExpirationSeconds? 4:credentialBundlePath 5:keyPath 6:certificateChainPath " +
            "7:userAnnotations 8:user?",
        [typeof(V1PortworxVolumeSource)] = "1:volumeID? 2:fsType 3:readOnly",
        [typeof(V1ScaleIOVolumeSource)] =
            "1:gateway? 2:system? 3:secretRef 4:sslEnabled 5:protectionDomain 6:storagePool 7:storageMode 8:volumeName " +
            "9:fsType 10:readOnly",
        [typeof(V1StorageOSVolumeSource)] = "1:volumeName 2:volumeNamespace 3:fsType 4:readOnly 5:secretRef",
        [typeof(V1CSIVolumeSource)] = "1:driver? 2:readOnly? 3:fsType? 4:volumeAttributes 5:nodePublishSecretRef",
        [typeof(V1EphemeralVolumeSource)] = "1:volumeClaimTemplate",
        [typeof(V1PersistentVolumeClaimTemplate)] = "1:metadata 2:spec",
        [typeof(V1PersistentVolumeClaimSpec)] =
            "1:accessModes 4:selector 2:resources 3:volumeName 5:storageClassName? 6:volumeMode? 7:dataSource " +
            "8:dataSourceRef 9:volumeAttributesClassName?",
        [typeof(V1VolumeResourceRequirements)] = "1:limits 2:requests",
        [typeof(V1TypedLocalObjectReference)] = "1:apiGroup? 2:kind? 3:name?",
        [typeof(V1TypedObjectReference)] = "1:apiGroup? 2:kind? 3:name? 4:namespace?",
        [typeof(V1ImageVolumeSource)] = "1:reference 2:pullPolicy",
        [typeof(V1Container)] =
            "1:name? 2:image 3:command 4:args 5:workingDir 6:ports 19:envFrom 7:env 8:resources 23:resizePolicy " +
            "24:restartPolicy? 25:restartPolicyRules 9:volumeMounts 21:volumeDevices 10:livenessProbe 11:readinessProbe " +
            "22:startupProbe 12:lifecycle 13:terminationMessagePath 20:terminationMessagePolicy 14:imagePullPolicy " +
            "15:securityContext 16:stdin 17:stdinOnce 18:tty",
        [typeof(V1ContainerPort)] = "1:name 2:hostPort 3:containerPort? 4:protocol 5:hostIP",
        [typeof(V1EnvFromSource)] = "1:prefix 2:configMapRef 3:secretRef",
        [typeof(V1ConfigMapEnvSource)] = "1>LocalObjectReference 2:optional?",
        [typeof(V1SecretEnvSource)] = "1>LocalObjectReference 2:optional?",
        [typeof(V1EnvVar)] = "1:name? 2:value 3:valueFrom",
        [typeof(V1EnvVarSource)] = "1:fieldRef 2:resourceFieldRef 3:configMapKeyRef 4:secretKeyRef 5:fileKeyRef",
        [typeof(V1ConfigMapKeySelector)] = "1>LocalObjectReference 2:key? 3:optional?",
        [typeof(V1SecretKeySelector)] = "1>LocalObjectReference 2:key? 3:optional?",
        [typeof(V1FileKeySelector)] = "1:volumeName? 2:path? 3:key? 4:optional?",
        [typeof(V1ResourceRequirements)] = "1:limits 2:requests 3:claims",
        [typeof(Corev1ResourceClaim)] = "1:name? 2:request",
        [typeof(V1ContainerResizePolicy)] = "1:resourceName? 2:restartPolicy?",
        [typeof(V1ContainerRestartRule)] = "1:action 2:exitCodes",
        [typeof(V1ContainerRestartRuleOnExitCodes)] = "1:operator 2:values",
        [typeof(V1VolumeMount)] =
            "1:name? 2:readOnly 7:recursiveReadOnly? 3:mountPath? 4:subPath 5:mountPropagation? 6:subPathExpr " +
            "8:bindMountOptions",
        [typeof(V1VolumeDevice)] = "1:name? 2:devicePath?",
        [typeof(V1Probe)] =
            "1>ProbeHandler 2:initialDelaySeconds 3:timeoutSeconds 4:periodSeconds 5:successThreshold 6:failureThreshold " +
            "7:terminationGracePeriodSeconds?",
        [typeof(V1ExecAction)] = "1:command",
        [typeof(V1HTTPGetAction)] = "1:path 2:port 3:host 4:scheme 5:httpHeaders 6:protocol?",
        [typeof(V1HTTPHeader)] = "1:name? 2:value?",
        [typeof(V1TCPSocketAction)] = "1:port 2:host",
        [typeof(V1GRPCAction)] = "1:port? 2:service? 3:mode?",
        [typeof(V1Lifecycle)] = "1:postStart 2:preStop 3:stopSignal?",
        [typeof(V1LifecycleHandler)] = "1:exec 2:httpGet 3:tcpSocket 4:sleep",
        [typeof(V1SleepAction)] = "1:seconds?",
        [typeof(V1SecurityContext)] =
            "1:capabilities 2:privileged? 3:seLinuxOptions 10:windowsOptions 4:runAsUser? 8:runAsGroup? 5:runAsNonRoot? " +
            "6:readOnlyRootFilesystem? 7:allowPrivilegeEscalation? 9:procMount? 11:seccompProfile 12:appArmorProfile",
        [typeof(V1Capabilities)] = "1:add 2:drop",
        [typeof(V1SELinuxOptions)] = "1:user 2:role 3:type 4:level",
        [typeof(V1WindowsSecurityContextOptions)] = "1:gmsaCredentialSpecName? 2:gmsaCredentialSpec? 3:runAsUserName? 4:hostProcess?",
        [typeof(V1SeccompProfile)] = "1:type? 2:localhostProfile?",
        [typeof(V1AppArmorProfile)] = "1:type? 2:localhostProfile?",
        [typeof(V1EphemeralContainer)] = "1>EphemeralContainerCommon 2:targetContainerName",
        [typeof(V1PodSecurityContext)] =
            "1:seLinuxOptions 8:windowsOptions 2:runAsUser? 6:runAsGroup? 3:runAsNonRoot? 4:supplementalGroups " +
            "12:supplementalGroupsPolicy? 5:fsGroup? 7:sysctls 9:fsGroupChangePolicy? 10:seccompProfile 11:appArmorProfile " +
            "13:seLinuxChangePolicy?",
        [typeof(V1Sysctl)] = "1:name? 2:value?",
        [typeof(V1Affinity)] = "1:nodeAffinity 2:podAffinity 3:podAntiAffinity",
        [typeof(V1NodeAffinity)] = "1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution",
        [typeof(V1NodeSelector)] = "1:nodeSelectorTerms",
        [typeof(V1NodeSelectorTerm)] = "1:matchExpressions 2:matchFields",
        [typeof(V1NodeSelectorRequirement)] = "1:key? 2:operator? 3:values",
        [typeof(V1PreferredSchedulingTerm)] = "1:weight? 2:preference",
        [typeof(V1PodAffinity)] = "1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution",
        [typeof(V1PodAffinityTerm)] = "1:labelSelector 2:namespaces 3:topologyKey? 4:namespaceSelector 5:matchLabelKeys 6:mismatchLabelKeys",
        [typeof(V1WeightedPodAffinityTerm)] = "1:weight? 2:podAffinityTerm",
        [typeof(V1PodAntiAffinity)] = "1:requiredDuringSchedulingIgnoredDuringExecution 2:preferredDuringSchedulingIgnoredDuringExecution",
        [typeof(V1Toleration)] = "1:key 2:operator 3:value 4:effect 5:tolerationSeconds?",
        [typeof(V1HostAlias)] = "1:ip? 2:hostnames",
        [typeof(V1PodDNSConfig)] = "1:nameservers 2:searches 3:options",
        [typeof(V1PodDNSConfigOption)] = "1:name 2:value?",
        [typeof(V1PodReadinessGate)] = "1:conditionType?",
        [typeof(V1TopologySpreadConstraint)] =
            "1:maxSkew? 2:topologyKey? 3:whenUnsatisfiable? 4:labelSelector 5:minDomains? 6:nodeAffinityPolicy? " +
            "7:nodeTaintsPolicy? 8:matchLabelKeys",
        [typeof(V1PodOS)] = "1:name?",
        [typeof(V1PodSchedulingGate)] = "1:name?",
        [typeof(V1PodResourceClaim)] = "1:name? 3:resourceClaimName? 4:resourceClaimTemplateName?",
        [typeof(V1PodSchedulingGroup)] = "1:podGroupName?",
        [typeof(V1EvictionResponder)] = "1:name? 2:priority?",
        [typeof(V1PodStatus)] =
            "17:observedGeneration 1:phase 2:conditions 3:message 4:reason 11:nominatedNodeName 5:hostIP 16:hostIPs 6:podIP " +
            "12:podIPs 7:startTime 10:initContainerStatuses 8:containerStatuses 9:qosClass 13:ephemeralContainerStatuses " +
            "14:resize 15:resourceClaimStatuses 18:extendedResourceClaimStatus 19:allocatedResources 20:resources " +
            "21:nodeAllocatableResourceClaimStatuses 22:volumeHealth",
        [typeof(V1PodCondition)] = "1:type? 7:observedGeneration 2:status? 3:lastProbeTime 4:lastTransitionTime 5:reason 6:message",
        [typeof(V1HostIP)] = "1:ip?",
        [typeof(V1PodIP)] = "1:ip?",
        [typeof(V1ContainerStatus)] =
            "1:name? 2:state 3:lastState 4:ready? 5:restartCount? 6:image? 7:imageID? 8:containerID 9:started? " +
            "10:allocatedResources 11:resources 12:volumeMounts 13:user 14:allocatedResourcesStatus 15:stopSignal?",
        [typeof(V1ContainerState)] = "1:waiting 2:running 3:terminated",
        [typeof(V1ContainerStateWaiting)] = "1:reason 2:message",
        [typeof(V1ContainerStateRunning)] = "1:startedAt",
        [typeof(V1ContainerStateTerminated)] = "1:exitCode? 2:signal 3:reason 4:message 5:startedAt 6:finishedAt 7:containerID",
        [typeof(V1VolumeMountStatus)] = "1:name? 2:mountPath? 3:readOnly 4:recursiveReadOnly? 5:volumeStatus",
        [typeof(V1VolumeStatus)] = "1:image",
        [typeof(V1ImageVolumeStatus)] = "1:imageRef",
        [typeof(V1ContainerUser)] = "1:linux",
        [typeof(V1LinuxContainerUser)] = "1:uid? 2:gid? 3:supplementalGroups",
        [typeof(V1ResourceStatus)] = "1:name? 2:resources",
        [typeof(V1ResourceHealth)] = "1:resourceID? 2:health 6:message?",
        [typeof(V1PodResourceClaimStatus)] = "1:name? 2:resourceClaimName?",
        [typeof(V1PodExtendedResourceClaimStatus)] = "1:requestMappings 2:resourceClaimName?",
        [typeof(V1ContainerExtendedResourceRequest)] = "1:containerName? 2:resourceName? 3:requestName?",
        [typeof(V1NodeAllocatableResourceClaimStatus)] = "1:resourceClaimName? 2:containers 4:mapping 5:overhead",
        [typeof(V1NodeAllocatableMappedResources)] = "1:name? 2:quantity",
        [typeof(V1NodeAllocatableOverheadResources)] = "1:name? 2:perPod 3:perContainer",
        [typeof(V1PodVolumeHealth)] = "1:name? 2:healthConditions 3:lastTransitionTime",
        [typeof(V1VolumeHealthCondition)] = "1:status? 2:reason? 3:message",
        [typeof(V1Binding)] = "1:metadata 2:target",
        [typeof(V1ObjectReference)] = "1:kind 2:namespace 3:name 4:uid 5:apiVersion 6:resourceVersion 7:fieldPath",
        [typeof(V1ServiceAccount)] = "1:metadata 2:secrets 3:imagePullSecrets 4:automountServiceAccountToken?",
        [typeof(Corev1Event)] =
            "1:metadata 2:involvedObject 3:reason 4:message 5:source 6:firstTimestamp 7:lastTimestamp 8:count 9:type " +
            "10:eventTime~ 11:series 12:action 13:related 14:reportingComponent? 15:reportingInstance?",
        [typeof(V1EventSource)] = "1:component 2:host",
        [typeof(Corev1EventSeries)] = "1:count 2:lastObservedTime~",
        [typeof(V1Endpoints)] = "1:metadata 2:subsets",
        [typeof(V1EndpointSubset)] = "1:addresses 2:notReadyAddresses 3:ports",
        [typeof(V1EndpointAddress)] = "1:ip? 3:hostname 4:nodeName? 2:targetRef",
        [typeof(Corev1EndpointPort)] = "1:name 2:port? 3:protocol 4:appProtocol?",
        [typeof(V1Node)] = "1:metadata 2:spec 3:status",
        [typeof(V1NodeSpec)] = "1:podCIDR 7:podCIDRs 3:providerID 4:unschedulable 5:taints 6:configSource 2:externalID 8:podPreemptionPolicy",
        [typeof(V1Taint)] = "1:key? 2:value 3:effect? 4:timeAdded",
        [typeof(V1NodeConfigSource)] = "2:configMap",
        [typeof(V1ConfigMapNodeConfigSource)] = "1:namespace? 2:name? 3:uid 4:resourceVersion 5:kubeletConfigKey?",
        [typeof(V1NodePodPreemptionPolicy)] = "1:disableResizePreemption",
        [typeof(V1NodeStatus)] =
            "1:capacity 2:allocatable 3:phase 4:conditions 5:addresses 6:daemonEndpoints 7:nodeInfo 8:images 9:volumesInUse " +
            "10:volumesAttached 11:config 12:runtimeHandlers 13:features 14:declaredFeatures",
        [typeof(V1NodeCondition)] = "1:type? 2:status? 3:lastHeartbeatTime 4:lastTransitionTime 5:reason 6:message",
        [typeof(V1NodeAddress)] = "1:type? 2:address?",
        [typeof(V1NodeDaemonEndpoints)] = "1:kubeletEndpoint",
        [typeof(V1DaemonEndpoint)] = "1:Port?",
        [typeof(V1NodeSystemInfo)] =
            "1:machineID? 2:systemUUID? 3:bootID? 4:kernelVersion? 5:osImage? 6:containerRuntimeVersion? 7:kubeletVersion? " +
            "8:kubeProxyVersion? 9:operatingSystem? 10:architecture? 11:swap",
        [typeof(V1NodeSwapStatus)] = "1:capacity?",
        [typeof(V1ContainerImage)] = "1:names 2:sizeBytes",
        [typeof(V1AttachedVolume)] = "1:name? 2:devicePath?",
        [typeof(V1NodeConfigStatus)] = "1:assigned 2:active 3:lastKnownGood 4:error",
        [typeof(V1NodeRuntimeHandler)] = "1:name? 2:features",
        [typeof(V1NodeRuntimeHandlerFeatures)] = "1:recursiveReadOnlyMounts? 2:userNamespaces?",
        [typeof(V1NodeFeatures)] = "1:supplementalGroupsPolicy?",
        [typeof(V1PersistentVolumeClaim)] = "1:metadata 2:spec 3:status",
        [typeof(V1PersistentVolumeClaimStatus)] =
            "1:phase 2:accessModes 3:capacity 4:conditions 5:allocatedResources 7:allocatedResourceStatuses " +
            "8:currentVolumeAttributesClassName? 9:modifyVolumeStatus 10:healthStatus",
        [typeof(V1PersistentVolumeClaimCondition)] = "1:type? 2:status? 3:lastProbeTime 4:lastTransitionTime 5:reason 6:message",
        [typeof(V1ModifyVolumeStatus)] = "1:targetVolumeAttributesClassName 2:status?",
        [typeof(V1VolumeHealthStatus)] = "1:healthConditions 2:lastTransitionTime",
        [typeof(V1PersistentVolume)] = "1:metadata 2:spec 3:status",
        [typeof(V1PersistentVolumeSpec)] =
            "1:capacity 2>PersistentVolumeSource 3:accessModes 4:claimRef 5:persistentVolumeReclaimPolicy 6:storageClassName " +
            "7:mountOptions 8:volumeMode? 9:nodeAffinity 10:volumeAttributesClassName?",
        [typeof(V1GlusterfsPersistentVolumeSource)] = "1:endpoints? 2:path? 3:readOnly 4:endpointsNamespace?",
        [typeof(V1RBDPersistentVolumeSource)] = "1:monitors 2:image? 3:fsType 4:pool 5:user 6:keyring 7:secretRef 8:readOnly",
        [typeof(V1SecretReference)] = "1:name 2:namespace",
        [typeof(V1ISCSIPersistentVolumeSource)] =
            "1:targetPortal? 2:iqn? 3:lun? 4:iscsiInterface 5:fsType 6:readOnly 7:portals 8:chapAuthDiscovery " +
            "11:chapAuthSession 10:secretRef 12:initiatorName?",
        [typeof(V1CinderPersistentVolumeSource)] = "1:volumeID? 2:fsType 3:readOnly 4:secretRef",
        [typeof(V1CephFSPersistentVolumeSource)] = "1:monitors 2:path 3:user 4:secretFile 5:secretRef 6:readOnly",
        [typeof(V1FlexPersistentVolumeSource)] = "1:driver? 2:fsType 3:secretRef 4:readOnly 5:options",
        [typeof(V1AzureFilePersistentVolumeSource)] = "1:secretName? 2:shareName? 3:readOnly 4:secretNamespace?",
        [typeof(V1ScaleIOPersistentVolumeSource)] =
            "1:gateway? 2:system? 3:secretRef 4:sslEnabled 5:protectionDomain 6:storagePool 7:storageMode 8:volumeName " +
            "9:fsType 10:readOnly",
        [typeof(V1LocalVolumeSource)] = "1:path? 2:fsType?",
        [typeof(V1StorageOSPersistentVolumeSource)] = "1:volumeName 2:volumeNamespace 3:fsType 4:readOnly 5:secretRef",
        [typeof(V1CSIPersistentVolumeSource)] =
            "1:driver? 2:volumeHandle? 3:readOnly 4:fsType 5:volumeAttributes 6:controllerPublishSecretRef " +
            "7:nodeStageSecretRef 8:nodePublishSecretRef 9:controllerExpandSecretRef 10:nodeExpandSecretRef",
        [typeof(V1VolumeNodeAffinity)] = "1:required",
        [typeof(V1PersistentVolumeStatus)] = "1:phase 2:message 3:reason 4:lastPhaseTransitionTime",
        [typeof(V1ReplicationController)] = "1:metadata 2:spec 3:status",
        [typeof(V1ReplicationControllerSpec)] = "1:replicas? 4:minReadySeconds 2:selector 3:template",
        [typeof(V1PodTemplateSpec)] = "1:metadata 2:spec",
        [typeof(V1ReplicationControllerStatus)] = "1:replicas? 2:fullyLabeledReplicas 4:readyReplicas 5:availableReplicas 3:observedGeneration 6:conditions",
        [typeof(V1ReplicationControllerCondition)] = "1:type? 2:status? 3:lastTransitionTime 4:reason 5:message",
        [typeof(V1ResourceQuota)] = "1:metadata 2:spec 3:status",
        [typeof(V1ResourceQuotaSpec)] = "1:hard 2:scopes 3:scopeSelector",
        [typeof(V1ScopeSelector)] = "1:matchExpressions",
        [typeof(V1ScopedResourceSelectorRequirement)] = "1:scopeName? 2:operator? 3:values",
        [typeof(V1ResourceQuotaStatus)] = "1:hard 2:used",
        [typeof(V1LimitRange)] = "1:metadata 2:spec",
        [typeof(V1LimitRangeSpec)] = "1:limits",
        [typeof(V1LimitRangeItem)] = "1:type? 2:max 3:min 4:default 5:defaultRequest 6:maxLimitRequestRatio",
        [typeof(V1PodTemplate)] = "1:metadata 2:template",
        [typeof(V1TopologySelectorTerm)] = "1:matchLabelExpressions",
        [typeof(V1TopologySelectorLabelRequirement)] = "1:key? 2:values",
        [typeof(V1ComponentStatus)] = "1:metadata 2:conditions",
        [typeof(V1ComponentCondition)] = "1:type? 2:status? 3:message 4:error",
    };
}
