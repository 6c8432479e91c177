using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Etcd;
using MiniKube.Testing;

namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>mkube server --secrets-encryption</c> with the real kubectl, on the embedded store and on a
/// real etcd: no Secret value is anywhere in the bytes of the data dir (or etcd's), and
/// <c>mkube secrets-encrypt rotate-keys</c> plus <c>reencrypt</c> keep every Secret readable
/// across a restart. Pod-free (--disable-agent), so its clean-up touches no container.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class SecretsEncryptionTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private string _root = null!;

    [SetUp]
    public void CreateDirectory() => _root = Directory.CreateTempSubdirectory("mkube-e2e-enc-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task EmbeddedStore_SecretsEncrypted_RotateReencryptRestart_AllReadable()
    {
        var dataDir = Path.Combine(_root, "data");
        var values = await RunClusterAsync(dataDir, dataDir, []);

        Assert.That(FilesContaining(dataDir, values), Is.Empty, "no Secret value anywhere in the data dir, after rotation either");
    }

    [Test]
    public async Task Etcd_SecretboxEncrypted_StoredValuesAreEnvelopes_RotateReencryptRestart_AllReadable()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var dataDir = Path.Combine(_root, "data");

        var values = await RunClusterAsync(dataDir, etcd.DataDir, ["--datastore-endpoint", etcd.Endpoint.ToString(), "--secrets-encryption-provider", "secretbox", "--token", "e2e-shared-secret"]);

        // A second server of the same datastore and token adopts the shared keys and reads every Secret.
        var secondDir = Path.Combine(_root, "second");
        using (var second = await StartAsync(["server", "--data-dir", secondDir, "--https-listen-port", "0", "--write-kubeconfig", Path.Combine(secondDir, "kubeconfig"), "--disable-agent",
            "--secrets-encryption", "--datastore-endpoint", etcd.Endpoint.ToString(), "--token", "e2e-shared-secret"]))
        {
            var kubectl = new Kubectl(Path.Combine(secondDir, "kubeconfig"), Path.Combine(_root, "kube-cache-second"));
            var encoded = await kubectl.OkAsync("get", "secret", "e2e-0", "-o", "jsonpath={.data.password}");
            Assert.That(values, Does.Contain(Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()))));
            second.Signal(MkubeProcess.SigTerm);
            await second.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        await using var store = await EtcdStore.ConnectAsync(new EtcdStoreOptions { Endpoints = [etcd.Endpoint] }, NullLogger.Instance, CancellationToken.None);
        var stored = await store.RangeAsync(new Storage.RangeRequest("/registry/secrets/default/"), CancellationToken.None);
        Assert.That(stored.Items.Select(kv => kv.Key), Has.Member("/registry/secrets/default/e2e-0"));
        Assert.That(stored.Items.Select(kv => Encoding.UTF8.GetString(kv.Value)), Has.All.StartWith("k8s:enc:secretbox:v1:secretboxkey-"));
        Assert.That(FilesContaining(etcd.DataDir, values), Is.Empty, "no Secret value in etcd's files");
        Assert.That(FilesContaining(dataDir, values), Is.Empty);
    }

    [Test]
    public async Task SecretsEncrypt_BadFlag_OneErrorLineAndExit2()
    {
        using var bad = await MkubeBinary.RunToEndAsync("secrets-encrypt", "status", "--bogus");

        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr[0], Is.EqualTo("Error: unknown flag or command '--bogus'"));
    }

    /// <summary>
    /// Starts a server with encryption, creates Secrets with kubectl, rotates and reencrypts
    /// through the CLI, restarts and reads every Secret back; returns the values (and their
    /// base64) that must be found nowhere at rest. <paramref name="storeDir"/> is where the
    /// store keeps its files: a ConfigMap's value must show there, or the search proves nothing.
    /// </summary>
    private static async Task<string[]> RunClusterAsync(string dataDir, string storeDir, string[] more)
    {
        var values = Enumerable.Range(0, 4).Select(i => $"e2e-secret-{Guid.NewGuid():N}-{i}").ToArray();
        string[] args = ["server", "--data-dir", dataDir, "--https-listen-port", "0", "--kubelet-port", "0", "--write-kubeconfig", Path.Combine(dataDir, "kubeconfig"), "--disable-agent", "--secrets-encryption", .. more];
        using (var server = await StartAsync(args))
        {
            var kubectl = new Kubectl(Path.Combine(dataDir, "kubeconfig"), Path.Combine(Path.GetDirectoryName(dataDir)!, "kube-cache"));
            for (var i = 0; i < values.Length; i++)
            {
                await kubectl.OkAsync("create", "secret", "generic", $"e2e-{i}", $"--from-literal=password={values[i]}");
            }
            var config = Path.Combine(dataDir, "server", "cred", "encryption-config.json");
            Assert.That(File.GetUnixFileMode(config), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            var control = $"e2e-plain-{Guid.NewGuid():N}";
            await kubectl.OkAsync("create", "configmap", "e2e-control", $"--from-literal=value={control}");
            Assert.That(FilesContaining(storeDir, [control]), Is.Not.Empty, "a ConfigMap is stored as it is, so the search does find values");
            Assert.That(FilesContaining(storeDir, values), Is.Empty, "no Secret value in the store after the creates");

            var address = ServerAddress(dataDir);
            var before = await OkAsync("secrets-encrypt", "status", "--data-dir", dataDir, "--server", address);
            var rotated = await OkAsync("secrets-encrypt", "rotate-keys", "--data-dir", dataDir, "--server", address);
            var reencrypted = await OkAsync("secrets-encrypt", "reencrypt", "--data-dir", dataDir, "--server", address);
            var after = await OkAsync("secrets-encrypt", "status", "--data-dir", dataDir, "--server", address);

            Assert.That(before, Does.StartWith("Encryption Status: Enabled\nCurrent Rotation Stage: start\nServer Encryption Hashes: All hashes match\n"));
            Assert.That(rotated, Does.StartWith("keys rotated: "));
            Assert.That(reencrypted, Does.StartWith($"reencryption finished: {values.Length} Secrets rewritten"));
            Assert.That(after, Does.Contain("Current Rotation Stage: reencrypt_finished"));
            Assert.That(after.Split('\n').Count(line => line.StartsWith(" *", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(string.Join('\n', server.Stdout.Concat(server.Stderr)), Does.Not.Contain(values[0]), "never in the server's log");
            server.Signal(MkubeProcess.SigTerm);
            await server.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }
        using (var restarted = await StartAsync(args))
        {
            var kubectl = new Kubectl(Path.Combine(dataDir, "kubeconfig"), Path.Combine(Path.GetDirectoryName(dataDir)!, "kube-cache"));
            for (var i = 0; i < values.Length; i++)
            {
                var encoded = await kubectl.OkAsync("get", "secret", $"e2e-{i}", "-o", "jsonpath={.data.password}");
                Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim())), Is.EqualTo(values[i]));
            }
            restarted.Signal(MkubeProcess.SigTerm);
            await restarted.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }
        return [.. values, .. values.Select(v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v)))];
    }

    private static async Task<MkubeProcess> StartAsync(string[] args)
    {
        var server = MkubeBinary.Start(null, args);
        await server.WaitForLogAsync("components are running", StartTimeout);
        return server;
    }

    private static async Task<string> OkAsync(params string[] args)
    {
        using var run = await MkubeBinary.RunToEndAsync(args);
        Assert.That(run.ExitCode, Is.Zero, string.Join('\n', run.Stderr));
        return string.Join('\n', run.Stdout) + "\n";
    }

    /// <summary>The server URL of the kubeconfig the server wrote (its port is chosen by the OS).</summary>
    private static string ServerAddress(string dataDir) =>
        File.ReadLines(Path.Combine(dataDir, "kubeconfig")).Select(l => l.Trim()).First(l => l.StartsWith("server: ", StringComparison.Ordinal))["server: ".Length..];

    /// <summary>
    /// Files under <paramref name="directory"/> whose bytes contain any of <paramref name="values"/>:
    /// grep itself, as an operator would check, since .NET cannot open files etcd and the
    /// server hold locked (bbolt's db, the data dir's lock).
    /// </summary>
    private static List<string> FilesContaining(string directory, string[] values)
    {
        var grep = new ProcessStartInfo("grep") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--recursive", "--files-with-matches", "--fixed-strings", "--text"])
        {
            grep.ArgumentList.Add(argument);
        }
        foreach (var value in values)
        {
            grep.ArgumentList.Add("-e");
            grep.ArgumentList.Add(value);
        }
        grep.ArgumentList.Add(directory);
        using var process = Process.Start(grep)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        // grep: 0 = found, 1 = nothing found, 2 = trouble.
        Assert.That(process.ExitCode, Is.AnyOf(0, 1), errors);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
