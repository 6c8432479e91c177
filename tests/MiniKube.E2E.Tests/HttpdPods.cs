namespace MiniKube.E2E.Tests;

/// <summary>
/// Pods that serve HTTP from the local busybox image (<c>mkube.local/busybox:1</c>, whose httpd
/// answers on port 8080, named <c>http</c>, ready once it does): what the Docker-node tests put
/// behind their Services. No image is pulled.
/// </summary>
internal static class HttpdPods
{
    /// <summary>
    /// A Deployment <paramref name="name"/> of <paramref name="replicas"/> pods labelled
    /// <c>app: NAME</c> whose index page is <paramref name="page"/> (expanded by the pod's shell, so
    /// <c>$HOSTNAME</c> names the pod), followed by a document separator.
    /// </summary>
    public static string Deployment(string name, int replicas, string page) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{name}}
          labels: {app: {{name}}}
        spec:
          replicas: {{replicas}}
          selector:
            matchLabels: {app: {{name}}}
          template:
            metadata:
              labels: {app: {{name}}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: mkube.local/busybox:1
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "mkdir -p /www && echo \"{{page}}\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
                ports:
                - {name: http, containerPort: 8080}
                readinessProbe:
                  httpGet: {path: /, port: http}
                  periodSeconds: 1
        ---

        """;
}
