namespace MiniKube.ApiServer.Protobuf;

// Embedded Go structs that JSON flattens into their owner (json:",inline" or json:"").
// Field numbers and JSON names are the protobuf and json struct tags of kubernetes/api core/v1/types.go.
internal static partial class FieldTables
{
    private static Dictionary<string, string> Fragments() => new()
    {
        ["EphemeralContainerCommon"] =
            "1:name? 2:image 3:command 4:args 5:workingDir 6:ports 19:envFrom 7:env 8:resources 23:resizePolicy " +
            "24:restartPolicy? 25:restartPolicyRules 9:volumeMounts 21:volumeDevices 10:livenessProbe 11:readinessProbe " +
            "22:startupProbe 12:lifecycle 13:terminationMessagePath 20:terminationMessagePolicy 14:imagePullPolicy " +
            "15:securityContext 16:stdin 17:stdinOnce 18:tty",
        ["LocalObjectReference"] = "1:name",
        ["PersistentVolumeSource"] =
            "1:gcePersistentDisk 2:awsElasticBlockStore 3:hostPath 4:glusterfs 5:nfs 6:rbd 7:iscsi 8:cinder 9:cephfs 10:fc " +
            "11:flocker 12:flexVolume 13:azureFile 14:vsphereVolume 15:quobyte 16:azureDisk 17:photonPersistentDisk " +
            "18:portworxVolume 19:scaleIO 20:local 21:storageos 22:csi",
        ["ProbeHandler"] = "1:exec 2:httpGet 3:tcpSocket 4:grpc",
        ["VolumeSource"] =
            "1:hostPath 2:emptyDir 3:gcePersistentDisk 4:awsElasticBlockStore 5:gitRepo 6:secret 7:nfs 8:iscsi 9:glusterfs " +
            "10:persistentVolumeClaim 11:rbd 12:flexVolume 13:cinder 14:cephfs 15:flocker 16:downwardAPI 17:fc 18:azureFile " +
            "19:configMap 20:vsphereVolume 21:quobyte 22:azureDisk 23:photonPersistentDisk 26:projected 24:portworxVolume " +
            "25:scaleIO 27:storageos 28:csi 29:ephemeral 30:image",
        ["IngressRuleValue"] = "1:http",
        ["Rule"] = "1:apiGroups 2:apiVersions 3:resources 4:scope?",
        ["RuleWithOperations"] = "1:operations 2>Rule",
    };
}
