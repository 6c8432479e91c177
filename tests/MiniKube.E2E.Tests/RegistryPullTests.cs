using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Pulls from a real registry: Debian's docker-registry (the distribution registry) on a free
/// loopback port, with TLS from a CA the test makes and htpasswd (bcrypt) basic auth, holding the
/// local busybox image the test pushes first. dockerd treats 127.0.0.0/8 (localhost included) as
/// an insecure registry: it speaks TLS to it but does not verify the certificate, nor read
/// /etc/docker/certs.d for it, so the test checks the CA file mkube writes there by verifying
/// the registry with it itself. scripts/test installs docker-registry and apache2-utils.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class RegistryPullTests : DataDirFixture
{
    private const string Node = "e2e-registry-node";
    private const string User = "puller";

    [Test]
    public async Task PullSecrets_ServiceAccount_Mirror_AndBackOff_AgainstARealRegistry()
    {
        var work = Directory.CreateDirectory(Path.Combine(DataDir, "registry")).FullName;
        var port = FreePort();
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        var (registry, mirror, mirrored, certs) = ($"127.0.0.1:{port}", $"localhost:{port}", "mirror.test/mkube/busybox:1", $"/etc/docker/certs.d/localhost:{port}");
        var image = $"{registry}/test/busybox:1";
        var hadCertsDirectory = Directory.Exists("/etc/docker/certs.d");
        WriteCertificates(work);
        File.WriteAllText(Path.Combine(work, "htpasswd"), (await RunAsync("htpasswd", null, null, "-Bbn", User, password)).Trim() + "\n");
        File.WriteAllText(Path.Combine(work, "config.yml"), $"version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {work}/data}}}}\n"
            + $"http: {{addr: \"{registry}\", tls: {{certificate: {work}/server.crt, key: {work}/server.key}}}}\n"
            + $"auth: {{htpasswd: {{realm: mkube-e2e, path: {work}/htpasswd}}}}\n");
        using var server = Process.Start(new ProcessStartInfo("docker-registry", ["serve", Path.Combine(work, "config.yml")]))!;
        try
        {
            await WaitAsync(() => Task.FromResult(Listening(port)), "the registry listens", 30);
            var client = new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(work, "docker") };
            await RunAsync("docker", client, password, "login", registry, "-u", User, "--password-stdin");
            await RunAsync("docker", null, null, "tag", "mkube.local/busybox:1", image);
            await RunAsync("docker", client, null, "push", image);
            await RunAsync("docker", null, null, "rmi", image);

            // The mirror is the same registry under its other loopback name; the first endpoint has nothing listening.
            Directory.CreateDirectory(Path.Combine(DataDir, "agent"));
            File.WriteAllText(Path.Combine(DataDir, "agent", "registries.yaml"),
                $"mirrors:\n  mirror.test:\n    endpoint: [\"https://127.0.0.1:1\", \"https://{mirror}\"]\n    rewrite: {{\"^mkube/(.*)\": \"test/$1\"}}\n"
                + $"configs:\n  \"{mirror}\":\n    auth: {{username: {User}, password: {password}}}\n    tls: {{ca_file: {work}/ca.crt}}\n");
            using var mkube = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
            await mkube.WaitForLogAsync("components are running", DockerNodeStartTimeout);
            var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
            await kubectl.OkAsync("create", "secret", "docker-registry", "regcred", $"--docker-server={registry}", $"--docker-username={User}", $"--docker-password={password}");
            await kubectl.OkAsync("create", "serviceaccount", "puller");
            await kubectl.OkAsync("patch", "serviceaccount", "puller", "-p", "{\"imagePullSecrets\":[{\"name\":\"regcred\"}]}");

            var created = await kubectl.RunWithAsync(string.Join("---\n",
                Pod("with-secret", image, "imagePullSecrets: [{name: regcred}]"),
                Pod("by-account", image, "serviceAccountName: puller"),
                Pod("denied", image, ""),
                Pod("mirrored", mirrored, "")), null, "apply", "-f", "-");
            Assert.That(created.ExitCode, Is.Zero, created.ToString());

            var seen = new HashSet<string>();
            await WaitAsync(async () =>
            {
                seen.Add((await kubectl.RunAsync("get", "pod", "denied", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}")).Output);
                return seen.Contains("ErrImagePull") && seen.Contains("ImagePullBackOff");
            }, "denied shows ErrImagePull, then ImagePullBackOff", 60);
            foreach (var pod in new[] { "with-secret", "by-account", "mirrored" })
            {
                await WaitAsync(async () => (await kubectl.RunAsync("get", "pod", pod, "-o", "jsonpath={.status.phase}")).Output == "Running", $"{pod} runs", 60);
            }

            var events = await kubectl.OkAsync("get", "events", "-o", "jsonpath={range .items[*]}{.involvedObject.name} {.reason} {.message}{\"\\n\"}{end}");
            Assert.That(events, Does.Contain($"with-secret Pulling Pulling image \"{image}\""));
            Assert.That(PulledEvent().IsMatch(events), Is.True, events);
            Assert.That(events, Does.Contain($"denied Failed Failed to pull image \"{image}\": ").And.Contain("denied Failed Error: ErrImagePull")
                .And.Contain($"denied BackOff Back-off pulling image \"{image}\"").And.Contain("denied Failed Error: ImagePullBackOff"));
            Assert.That(await kubectl.OkAsync("get", "pod", "by-account", "-o", "jsonpath={.spec.imagePullSecrets[*].name}"), Is.EqualTo("regcred"));
            Assert.That(await RunAsync("docker", null, null, "image", "ls", "-q", mirrored), Is.Not.Empty, "stored under the name the pod asked for");
            Assert.That(await RunAsync("docker", null, null, "image", "ls", "-q", $"{mirror}/test/busybox:1"), Is.Empty, "the mirror's own name is dropped");
            Assert.That(File.ReadAllText(Path.Combine(certs, "mkube-ca.crt")), Is.EqualTo(File.ReadAllText(Path.Combine(work, "ca.crt"))));
            Assert.That(await VerifiedStatusAsync(Path.Combine(certs, "mkube-ca.crt"), $"https://{mirror}/v2/"), Is.EqualTo(HttpStatusCode.Unauthorized), "the CA written for dockerd verifies the registry");
            Assert.That(string.Join("\n", mkube.Stdout.Concat(mkube.Stderr)) + events, Does.Not.Contain(password), "credentials never reach logs or events");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
            foreach (var name in new[] { image, mirrored, $"{mirror}/test/busybox:1" })
            {
                await RunAsync("docker", null, null, "rmi", "-f", name);
            }
            if (Directory.Exists(certs))
            {
                Directory.Delete(certs, recursive: true);
            }
            if (!hadCertsDirectory && Directory.Exists("/etc/docker/certs.d") && !Directory.EnumerateFileSystemEntries("/etc/docker/certs.d").Any())
            {
                Directory.Delete("/etc/docker/certs.d");
            }
        }
    }

    [GeneratedRegex(@"with-secret Pulled Successfully pulled image ""127\.0\.0\.1:\d+/test/busybox:1"" in [0-9.]+m?s \([0-9.]+m?s including waiting\)\. Image size: [1-9]\d* bytes\.")]
    private static partial Regex PulledEvent();

    private static string Pod(string name, string image, string extra) =>
        $"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  nodeName: {Node}\n  terminationGracePeriodSeconds: 1\n"
        + (extra.Length > 0 ? $"  {extra}\n" : "")
        + $"  containers:\n  - name: main\n    image: {image}\n    imagePullPolicy: {(name == "mirrored" ? "IfNotPresent" : "Always")}\n    command: [sleep, \"3600\"]\n";

    /// <summary>A CA and a server certificate for 127.0.0.1 and localhost, as PEM files in <paramref name="directory"/>.</summary>
    private static void WriteCertificates(string directory)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=mkube-e2e-registry-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "server.crt"), leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(Path.Combine(directory, "server.key"), key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>The status of a GET to <paramref name="url"/> over TLS verified against <paramref name="caFile"/> alone.</summary>
    private static async Task<HttpStatusCode> VerifiedStatusAsync(string caFile, string url)
    {
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        using var handler = new HttpClientHandler();
        handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is not null && chain.Build(certificate);
        };
        using var http = new HttpClient(handler);
        return (await http.GetAsync(new Uri(url))).StatusCode;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Runs a command; its standard output, or a failed assertion with both outputs when it exits non-zero.</summary>
    private static async Task<string> RunAsync(string command, IReadOnlyDictionary<string, string>? environment, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var tolerated = command == "docker" && args[0] is "rmi" or "image";
        Assert.That(process.ExitCode == 0 || tolerated, $"{command} {string.Join(' ', args)}: exit {process.ExitCode}\n{await output}\n{error}");
        return await output;
    }
}
