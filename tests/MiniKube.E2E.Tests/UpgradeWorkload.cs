namespace MiniKube.E2E.Tests;

/// <summary>
/// What the upgrade tests keep running across an upgrade: Deployment <c>web</c> of two busybox
/// pods in namespace <see cref="Namespace"/>, with an environment variable from a ConfigMap and a
/// volume from a Secret, so the new kubelet has volumes and references to take over as well as
/// containers.
/// </summary>
internal static class UpgradeWorkload
{
    public const string Namespace = "upgrade";

    public const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: upgrade}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: upgrade}
        data: {greeting: hello}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: credentials, namespace: upgrade}
        stringData: {password: s3cret}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: upgrade}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: mkube.local/busybox:1
                imagePullPolicy: Never
                command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
                env:
                - name: GREETING
                  valueFrom: {configMapKeyRef: {name: settings, key: greeting}}
                volumeMounts: [{name: credentials, mountPath: /etc/credentials}]
              volumes:
              - name: credentials
                secret: {secretName: credentials}

        """;

    /// <summary>Each pod as one line: name, uid, phase, restart count, container ID and address.</summary>
    private const string PodColumns = "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.status.phase} {.status.containerStatuses[0].restartCount} "
        + "{.status.containerStatuses[0].containerID} {.status.podIP}{\"\\n\"}{end}";

    /// <summary>The pattern of a pod's line that runs its first container: <c>web-…</c>, Running, no restart, a Docker container and an address.</summary>
    public const string RunningPod = @"^web-\S+ [0-9a-f-]{36} Running 0 docker://[0-9a-f]{64} [0-9.]+$";

    /// <summary>Waits until the Deployment's pods are all updated and available.</summary>
    public static Task RolloutAsync(Kubectl kubectl) => kubectl.OkAsync("rollout", "status", "deployment/web", "-n", Namespace, "--timeout=120s");

    /// <summary>A third pod, started and awaited: by the time it runs, the kubelet has synced the two it found.</summary>
    public static async Task AddAPodAsync(Kubectl kubectl)
    {
        await kubectl.OkAsync("scale", "deployment/web", "-n", Namespace, "--replicas=3");
        await RolloutAsync(kubectl);
    }

    /// <summary>The pods as <see cref="PodColumns"/> prints them, one line each.</summary>
    public static async Task<string[]> PodsAsync(Kubectl kubectl) =>
        (await kubectl.OkAsync("get", "pods", "-n", Namespace, "-o", PodColumns)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
