using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The ingress controller of the published binary with the real kubectl and curl: an Ingress
/// with two hosts and TLS applied with <c>kubectl apply</c>, reached with <c>curl --resolve</c>
/// over HTTP (the redirect, and a host without TLS) and HTTPS (each host its backend, the
/// certificate verified against the Secret's). The backends are plain HTTP servers of the test
/// on loopback, behind Services without selectors and EndpointSlices written by hand, so no pod
/// starts (the server runs with --disable-agent).
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class IngressTests : IngressFixture
{
    [Test]
    public async Task Ingress_TwoHostsWithTls_CurlReachesEachBackendOverHttpAndHttps()
    {
        using var a = new TestHttpBackend("A");
        using var b = new TestHttpBackend("B");
        await StartServerAsync(StartTimeout, "--disable-agent", "--disable-scheduler");
        var https = HttpsPort;
        var (certFile, keyFile) = WriteCertificate(DataDir, "a.test", "b.test");
        await Kubectl.OkAsync("create", "secret", "tls", "ab-cert", "--cert", certFile, "--key", keyFile);
        var applied = await Kubectl.RunWithAsync(Manifest(a.Port, b.Port), null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, applied.ToString());

        await WaitAsync(async () => (await CurlAsync("-sk", "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/")).Output == "A /", "a.test served over HTTPS", 60);
        var secureA = await CurlAsync("-s", "--cacert", certFile, "--resolve", $"a.test:{https}:127.0.0.1", $"https://a.test:{https}/x");
        var secureB = await CurlAsync("-s", "--http2", "-w", " %{http_version}", "--cacert", certFile, "--resolve", $"b.test:{https}:127.0.0.1", $"https://b.test:{https}/y");
        var redirect = await CurlHttpAsync("a.test", "/z", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}");
        var plain = await CurlHttpAsync("plain.test", "/p", "-s");
        var unknown = await CurlHttpAsync("other.test", "/", "-s", "-o", "/dev/null", "-w", "%{http_code}");
        string address = "";
        await WaitAsync(async () => (address = (await Kubectl.RunAsync("get", "ingress", "site", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")).Output) != "", "Ingress status", 60);
        var classes = await Kubectl.OkAsync("get", "ingressclass", "mkube", "-o", "jsonpath={.spec.controller} {.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}");

        Assert.Multiple(() =>
        {
            Assert.That(secureA.Output, Is.EqualTo("A /x"), secureA.Error);
            Assert.That(secureB.Output, Is.EqualTo("B /y 2"), "HTTP/2 by ALPN; " + secureB.Error);
            Assert.That(redirect.Output, Is.EqualTo($"308 https://a.test:{https}/z"));
            Assert.That(plain.Output, Is.EqualTo("B /p"));
            Assert.That(unknown.Output, Is.EqualTo("404"));
            Assert.That(IPAddress.TryParse(address, out _), Is.True, address);
            Assert.That(classes, Is.EqualTo("mkube.io/ingress true"));
        });
    }

    private static string Manifest(int portA, int portB) => BackendsManifest(portA, portB) + """
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
          - host: b.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web-b, port: {number: 80}}}}
          - host: plain.test
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web-b, port: {number: 80}}}}
        """;

    /// <summary>Services web-a and web-b with one loopback endpoint each (hand-written EndpointSlices), ending with a document separator.</summary>
    private static string BackendsManifest(int portA, int portB) => $$$$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: web-a}
        spec:
          ports: [{name: http, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web-b}
        spec:
          ports: [{name: http, port: 80}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-a-1
          labels: {kubernetes.io/service-name: web-a}
        addressType: IPv4
        endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
        ports: [{name: http, port: {{{{{portA}}}}}, protocol: TCP}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-b-1
          labels: {kubernetes.io/service-name: web-b}
        addressType: IPv4
        endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
        ports: [{name: http, port: {{{{{portB}}}}}, protocol: TCP}]
        ---

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

    /// <summary>A loopback HTTP server answering <c>NAME PATH</c>.</summary>
    private sealed class TestHttpBackend : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public TestHttpBackend(string name)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = ServeAsync(name);
        }

        public int Port { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        // One request per connection, answered with Connection: close: enough for a proxy and curl.
        private async Task ServeAsync(string name)
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                _ = AnswerAsync(socket, name);
            }
        }

        private static async Task AnswerAsync(Socket socket, string name)
        {
            using var _ = socket;
            await using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync() ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
            {
                // Headers are not needed.
            }
            var path = requestLine.Split(' ') is [_, var target, ..] ? target : "?";
            var body = Encoding.UTF8.GetBytes($"{name} {path}");
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
        }
    }
}
