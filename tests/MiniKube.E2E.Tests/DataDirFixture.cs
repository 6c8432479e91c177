namespace MiniKube.E2E.Tests;

/// <summary>Each E2E test gets its own data dir, removed afterwards with the containers its nodes left.</summary>
public abstract class DataDirFixture
{
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// For a server that runs a Docker node (its agent, cluster DNS, metrics and ingress start too):
    /// with the unit tests beside it on the 2-core machine its start has taken more than 30 s.
    /// </summary>
    protected static readonly TimeSpan DockerNodeStartTimeout = TimeSpan.FromSeconds(90);

    protected string DataDir { get; private set; } = null!;

    [SetUp]
    public void CreateDataDir() => DataDir = Directory.CreateTempSubdirectory("mkube-e2e-").FullName;

    [TearDown]
    public async Task RemoveDataDirAndContainers()
    {
        await DockerCli.RemoveTestNodesContainersAsync();
        await UnmountBelowAsync(DataDir);
        Directory.Delete(DataDir, recursive: true);
    }

    /// <summary>
    /// Detaches the tmpfs mounts a stopped node left below <paramref name="directory"/>: the
    /// kubelet keeps pods' secret and token volumes mounted while their containers may still run,
    /// as upstream's does, so a server that stops with pods leaves them behind.
    /// </summary>
    protected static async Task UnmountBelowAsync(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var mounts = File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(point => point.StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(point => point.Length)
            .ToList();
        foreach (var point in mounts)
        {
            using var umount = System.Diagnostics.Process.Start("umount", ["-l", point]);
            await umount.WaitForExitAsync();
        }
    }

    /// <summary>The admin kubeconfig a server started with <see cref="ServerArgs"/> writes.</summary>
    protected string KubeconfigPath => Path.Combine(DataDir, "kubeconfig");

    /// <summary>The API server's URL in that kubeconfig (its port the one the OS chose).</summary>
    protected Uri ServerUri() =>
        new(File.ReadLines(KubeconfigPath).First(l => l.TrimStart().StartsWith("server:", StringComparison.Ordinal)).Split("server:")[1].Trim());

    /// <summary>The join token the server wrote (DATA_DIR/server/token), as an agent is given it.</summary>
    protected async Task<string> JoinTokenAsync() => (await File.ReadAllTextAsync(Path.Combine(DataDir, "server", "token"))).Trim();

    /// <summary>
    /// <c>server --data-dir DIR</c> on a free port, writing its kubeconfig into the test's data
    /// dir, so tests never touch /etc/mkube or port 6443.
    /// </summary>
    protected static string[] ServerArgs(string dataDir, params string[] more) =>
        ["server", "--data-dir", dataDir, "--https-listen-port", "0", "--kubelet-port", "0", "--write-kubeconfig", Path.Combine(dataDir, "kubeconfig"), .. more];

    /// <summary>Waits until Node <paramref name="node"/> reports Ready=True.</summary>
    protected static Task WaitForNodeReadyAsync(Kubectl kubectl, string node, int seconds = 90) =>
        WaitAsync(async () => (await kubectl.RunAsync("get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Output == "True", $"node {node} Ready", seconds);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test naming <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    protected static async Task WaitAsync(Func<Task<bool>> condition, string what = "condition", int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {seconds} s: {what}");
            }
            await Task.Delay(250);
        }
    }
}
