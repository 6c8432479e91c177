namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>
/// Request bodies kubectl v1.32 sent to <see cref="RecordingApiServer"/>, printed by
/// <see cref="KubectlProtobufTests"/> and kept here so the unit tests run without kubectl.
/// </summary>
internal static class CapturedBodies
{
    /// <summary>kubectl create namespace x</summary>
    public const string Namespace = "azhzAAoPCgJ2MRIJTmFtZXNwYWNlEhkKEQoBeBIAGgAiACoAMgA4AEIAEgAaAgoAGgAiAA==";

    /// <summary>kubectl create configmap c --from-literal=a=b --from-literal=empty=</summary>
    public const string ConfigMap = "azhzAAoPCgJ2MRIJQ29uZmlnTWFwEiYKEQoBYxIAGgAiACoAMgA4AEIAEgYKAWESAWISCQoFZW1wdHkSABoAIgA=";

    /// <summary>kubectl create secret generic s --from-literal=k=v</summary>
    public const string Secret = "azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=";

    /// <summary>kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80</summary>
    public const string Deployment =
        "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50Er0BCh8KA3dlYhIAGgAiACoAMgA4AEIAWgoKA2FwcBIDd2ViEosBCAISDAoKCgNhcHASA3dlYhpxChwKABIAGgAi" +
        "ACoAMgA4AEIAWgoKA2FwcBIDd2ViElESMwoFbmdpbngSCm5naW54OjEuMjcqADIKCgAQABhQIgAqAEIAagByAIABAIgBAJABAKIBABoAMgBCAEoAUgBYAGAAaACC" +
        "AQCKAQCaAQDCAQAiAgoAKAA4ABoMCAAQABgAIAAoADgAGgAiAA==";

    /// <summary>kubectl create deployment idle --image=nginx:1.27 --replicas=0</summary>
    public const string DeploymentWithZeroReplicas =
        "azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50ErUBCiEKBGlkbGUSABoAIgAqADIAOABCAFoLCgNhcHASBGlkbGUSgQEIABINCgsKA2FwcBIEaWRsZRpmCh0KABIA" +
        "GgAiACoAMgA4AEIAWgsKA2FwcBIEaWRsZRJFEicKBW5naW54EgpuZ2lueDoxLjI3KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEA" +
        "wgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=";

    /// <summary>kubectl create service nodeport np --tcp=80:http</summary>
    public const string ServiceWithNamedTargetPort =
        "azhzAAoNCgJ2MRIHU2VydmljZRJoCh0KAm5wEgAaACIAKgAyADgAQgBaCQoDYXBwEgJucBJDCh4KBzgwLWh0dHASA1RDUBhQIgoIARAAGgRodHRwKAASCQoDYXBw" +
        "EgJucBoAIghOb2RlUG9ydDoAQgBSAFoAYABoABoCCgAaACIA";

    /// <summary>kubectl create cronjob cj --image=busybox --schedule="*/1 * * * *" -- echo hi</summary>
    public const string CronJob =
        "azhzAAoTCghiYXRjaC92MRIHQ3JvbkpvYhKoAQoSCgJjahIAGgAiACoAMgA4AEIAEo8BCgsqLzEgKiAqICogKhoAKn4KEgoCY2oSABoAIgAqADIAOABCABJoMmYK" +
        "EAoAEgAaACIAKgAyADgAQgASUhIrCgJjahIHYnVzeWJveBoEZWNobxoCaGkqAEIAagByAIABAIgBAJABAKIBABoJT25GYWlsdXJlMgBCAEoAUgBYAGAAaACCAQCK" +
        "AQCaAQDCAQAaABoAIgA=";

    /// <summary>kubectl create poddisruptionbudget pdb --selector=app=web --min-available=50%</summary>
    public const string PodDisruptionBudget =
        "azhzAAogCglwb2xpY3kvdjESE1BvZERpc3J1cHRpb25CdWRnZXQSPAoTCgNwZGISABoAIgAqADIAOABCABIZCgkIARAAGgM1MCUSDAoKCgNhcHASA3dlYhoKCAAY" +
        "ACAAKAAwABoAIgA=";

    public static byte[] Bytes(string base64) => Convert.FromBase64String(base64);
}
