using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The ingress controller of the published binary on a Docker node, with the real kubectl and curl:
/// Ingresses applied with <c>kubectl apply</c> in front of busybox pods behind ordinary Services
/// with selectors, reached with <c>curl --resolve</c> over HTTP and HTTPS: hosts, a one-label
/// wildcard, Exact and element-wise Prefix paths, TLS chosen by SNI (the certificate verified
/// against the Secret's), the 308 to HTTPS, HTTP/2 by ALPN, a WebSocket, a retry on the other
/// endpoint when a ready pod refuses the connection, the default backend added by a second
/// Ingress while a request stays open (it finishes), and <c>status.loadBalancer</c>. Not here:
/// h2c and gRPC backends, which neither busybox nor the other local images can serve (the
/// in-process tests of MiniKube.Addons.Tests run them against Kestrel backends). Needs root and
/// dockerd, as the other Docker-node tests.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class IngressTests : IngressFixture
{
    private const string Node = "e2e-ingress";

    // Long enough to outlast a config change on a busy machine; the other checks run meanwhile.
    private const int SlowSeconds = 20;

    protected override string DescribedKinds => "ingress";

    [Test]
    public async Task Ingress_OnPods_HostsPathsTlsRedirectHttp2WebSocketRetryAndDefaultBackend_RoutedAsWritten()
    {
        Assert.That(Environment.IsPrivilegedProcess, "a Docker node needs root, as scripts/test runs");
        await StartServerAsync(DockerNodeStartTimeout, "--node-name", Node, "--disable", "metrics,dashboard");
        var https = HttpsPort;
        var (certFile, keyFile) = WriteCertificate(DataDir, "a.test", "b.test");
        await Kubectl.OkAsync("create", "secret", "tls", "ab-cert", "--cert", certFile, "--key", keyFile);
        await ApplyAsync(Backends + Site);
        await WaitDeploymentsReadyAsync("web-a", "web-b", "web-c", "web-dead", "ws");
        await WaitAsync(async () => (await Kubectl.RunAsync("get", "endpointslices", "-l", "kubernetes.io/service-name=flaky", "-o", "jsonpath={.items[*].endpoints[*].addresses[0]}")).Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 2, "both flaky endpoints in the EndpointSlice");
        await WaitAsync(async () => (await CurlAsync("-sk", "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/")).Output == "A\n", "a.test served over HTTPS", 60);

        // A request that stays open across a config change: the second Ingress adds a default backend.
        var slow = CurlHttpAsync("plain.test", $"/cgi-bin/slow?{SlowSeconds}", "-s", "--max-time", Port(SlowSeconds + 60));
        var unknownBefore = await CurlHttpAsync("deep.one.wild.test", "/", "-s", "-o", "/dev/null", "-w", "%{http_code}");
        await ApplyAsync(Fallback);
        await WaitAsync(async () => (await CurlHttpAsync("other.test", "/", "-s")).Output == "C\n", "the default backend serving", 60);
        var openAcrossChange = !slow.IsCompleted;

        var secureA = await CurlAsync("-s", "--cacert", certFile, "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/x");
        var secureB = await CurlAsync("-s", "--http2", "-w", "%{http_version}", "--cacert", certFile, "--resolve", $"b.test:{https}:127.0.0.1", $"https://b.test:{https}/y");
        var redirect = await CurlHttpAsync("a.test", "/z", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}");
        var plain = await CurlHttpAsync("plain.test", "/p", "-s");
        var exact = await CurlAsync("-sk", "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/exact");
        var prefix = await CurlAsync("-sk", "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/api/v1");
        var notPrefix = await CurlAsync("-sk", "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/apiv1");
        var wildcard = await CurlHttpAsync("one.wild.test", "/", "-s");
        var tooDeep = await CurlHttpAsync("deep.one.wild.test", "/", "-s");
        // Each request on a connection of its own, so each is balanced afresh: one of the two
        // endpoints refuses connections, and without the retry about every other request would get 502.
        var flaky = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            flaky.Add((await CurlHttpAsync("flaky.test", "/", "-s", "-w", "%{http_code}")).Output);
        }
        var webSocket = await WebSocketRoundTripAsync();
        string address = "";
        await WaitAsync(async () => (address = (await Kubectl.RunAsync("get", "ingress", "site", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")).Output) != "", "Ingress status", 60);
        var classes = await Kubectl.OkAsync("get", "ingressclass", "mkube", "-o", "jsonpath={.spec.controller} {.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}");
        var slowAnswer = await slow;

        Assert.Multiple(() =>
        {
            Assert.That(secureA.Output, Is.EqualTo("A\n"), secureA.Error);
            Assert.That(secureB.Output, Is.EqualTo("B\n2"), "HTTP/2 by ALPN; " + secureB.Error);
            Assert.That(redirect.Output, Is.EqualTo($"308 https://a.test:{https}/z"));
            Assert.That(plain.Output, Is.EqualTo("B\n"), "a host without TLS over plain HTTP");
            Assert.That(exact.Output, Is.EqualTo("C\n"), "Exact /exact");
            Assert.That(prefix.Output, Is.EqualTo("C\n"), "Prefix /api");
            Assert.That(notPrefix.Output, Is.EqualTo("A\n"), "/apiv1 is not below the Prefix /api");
            Assert.That(wildcard.Output, Is.EqualTo("B\n"), "*.wild.test");
            Assert.That(unknownBefore.Output, Is.EqualTo("404"), "a wildcard covers one label; no default backend yet");
            Assert.That(tooDeep.Output, Is.EqualTo("C\n"), "the default backend for what no rule matches");
            Assert.That(flaky, Has.All.EqualTo("A\n200"), "retried on the endpoint that answers");
            Assert.That(webSocket, Is.EqualTo("pong"), "a WebSocket through the ingress");
            Assert.That(IPAddress.TryParse(address, out _), Is.True, address);
            Assert.That(classes, Is.EqualTo("mkube.io/ingress true"));
            Assert.That(openAcrossChange, Is.True, $"the slow request ({SlowSeconds} s) was still open when the change was served");
            Assert.That(slowAnswer.ExitCode, Is.Zero, "the open request finished after the change; " + slowAnswer);
            Assert.That(slowAnswer.Output, Is.EqualTo("start\nend\n"));
        });
    }

    // Sends one text frame and reads one back over ws://ws.test through the data plane's HTTP
    // port: the pod answers only once the client's frame reached it, so both directions passed.
    private async Task<string> WebSocketRoundTripAsync()
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, HttpPort, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var invoker = new HttpMessageInvoker(handler);
        using var client = new ClientWebSocket();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(new Uri($"ws://ws.test:{Port(HttpPort)}/"), invoker, budget.Token);
        await client.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, budget.Token);
        var buffer = new byte[16];
        var received = await client.ReceiveAsync(buffer, budget.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    // web-a and web-dead are both behind "flaky" (group flaky, target port 8080), but web-dead's
    // httpd listens on 8081, where its readiness probe looks: a ready endpoint that refuses
    // connections, as a pod that went away before its EndpointSlice said so.
    private static readonly string Backends =
        HttpdPods.Deployment("web-a", 1, "A", "flaky", 8080, "x", "apiv1") + HttpdPods.Service("web-a", "app: web-a", "http")
        + HttpdPods.WithService("web-b", "B", "y", "p")
        + HttpdPods.WithService("web-c", "C", "exact", "api/v1")
        + HttpdPods.Deployment("web-dead", 1, "dead", "flaky", 8081)
        + HttpdPods.Service("flaky", "group: flaky", "8080")
        + WebSocketPong + HttpdPods.Service("ws", "app: ws", "8080");

    // A busybox nc that answers a WebSocket handshake (Sec-WebSocket-Accept from the key, as
    // RFC 6455 says), waits for the client's first frame (10 bytes: a masked 4-byte text) and
    // sends the text frame "pong". busybox httpd cannot upgrade a connection.
    private const string WebSocketPong = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: ws}
        spec:
          selector:
            matchLabels: {app: ws}
          template:
            metadata:
              labels: {app: ws}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: ws
                image: mkube.local/busybox:1
                imagePullPolicy: IfNotPresent
                command:
                - sh
                - -c
                - |
                  cat > /ws.sh <<'EOF'
                  key=
                  while IFS= read -r line; do
                    line=$(printf '%s' "$line" | tr -d '\r')
                    [ -z "$line" ] && break
                    case "$line" in [Ss]ec-[Ww]eb[Ss]ocket-[Kk]ey:*) key=$(echo "${line#*:}" | tr -d ' ') ;; esac
                  done
                  accept=$(printf "$(printf '%s' "${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11" | sha1sum | cut -c1-40 | sed 's/../\\x&/g')" | base64)
                  printf 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n' "$accept"
                  head -c 10 >/dev/null
                  printf '\201\004pong'
                  EOF
                  exec nc -ll -p 8080 -e /bin/sh /ws.sh
                ports:
                - {containerPort: 8080}
                readinessProbe:
                  tcpSocket: {port: 8080}
                  periodSeconds: 1
        ---

        """;

    private const string Site = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: site}
        spec:
          tls:
          - hosts: [a.test, b.test]
            secretName: ab-cert
          rules:
          - host: a.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web-a, port: {number: 80}}}}
              - {path: /exact, pathType: Exact, backend: {service: {name: web-c, port: {number: 80}}}}
              - {path: /api, pathType: Prefix, backend: {service: {name: web-c, port: {name: http}}}}
          - host: b.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web-b, port: {number: 80}}}}
          - host: plain.test
            http:
              paths:
              - {path: /, pathType: ImplementationSpecific, backend: {service: {name: web-b, port: {number: 80}}}}
          - host: "*.wild.test"
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web-b, port: {number: 80}}}}
          - host: flaky.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: flaky, port: {number: 80}}}}
          - host: ws.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: ws, port: {number: 80}}}}
        """;

    // A second Ingress of the default class whose only content is the default backend.
    private const string Fallback = """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: fallback}
        spec:
          defaultBackend: {service: {name: web-c, port: {number: 80}}}
        """;

    private static (string Cert, string Key) WriteCertificate(string directory, params string[] hosts)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + hosts[0], key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            names.AddDnsName(host);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var cert = Path.Combine(directory, "tls.crt");
        var keyFile = Path.Combine(directory, "tls.key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (cert, keyFile);
    }
}
