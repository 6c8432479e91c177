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
    /// <c>app: NAME</c> (and <c>group: GROUP</c> when given) whose index page is
    /// <paramref name="page"/> (expanded by the pod's shell, so <c>$HOSTNAME</c> names the pod),
    /// followed by a document separator. The same page is served at each of <paramref name="files"/>
    /// (paths below the root), and <c>/cgi-bin/slow?SECONDS</c> answers <c>start</c> at once and
    /// <c>end</c> SECONDS later: a request that stays open. httpd listens on <paramref name="port"/>.
    /// </summary>
    public static string Deployment(string name, int replicas, string page, string? group = null, int port = 8080, params string[] files) => $$"""
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
              labels: {app: {{name}}{{(group is null ? "" : ", group: " + group)}}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: mkube.local/busybox:1
                imagePullPolicy: IfNotPresent
                command:
                - sh
                - -c
                - |
                  mkdir -p /www/cgi-bin
                  for file in index.html {{string.Join(' ', files)}}; do
                    mkdir -p "$(dirname "/www/$file")" && echo "{{page}}" > "/www/$file"
                  done
                  printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho start\nsleep "$QUERY_STRING"\necho end\n' > /www/cgi-bin/slow
                  chmod +x /www/cgi-bin/slow
                  exec httpd -f -p {{port}} -h /www
                ports:
                - {name: http, containerPort: {{port}}}
                readinessProbe:
                  httpGet: {path: /, port: http}
                  periodSeconds: 1
        ---

        """;

    /// <summary>
    /// <see cref="Deployment"/> with a Service of the same name on port 80 (to the pods' <c>http</c>
    /// port), selecting <c>app: NAME</c>; followed by a document separator.
    /// </summary>
    public static string WithService(string name, string page, params string[] files) =>
        Deployment(name, 1, page, files: files) + Service(name, "app: " + name, "http");

    /// <summary>A Service <paramref name="name"/> on port 80 selecting <paramref name="selector"/> (<c>key: value</c>), to <paramref name="targetPort"/>; followed by a document separator.</summary>
    public static string Service(string name, string selector, string targetPort) => $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}}
        spec:
          selector: {{{selector}}}
          ports:
          - {name: http, port: 80, targetPort: {{targetPort}}}
        ---

        """;
}
