namespace MiniKube.E2E.Tests;

/// <summary>
/// One <c>mkube server</c> for a whole fixture, running the API server alone (no agent, scheduler
/// or controllers, so objects stay exactly as the test leaves them and no pods start), with the
/// real kubectl given only the kubeconfig the server wrote.
/// </summary>
public abstract class ApiServerAloneFixture
{
    /// <summary>The fixture's data dir, removed after its last test.</summary>
    protected string DataDir { get; private set; } = null!;

    /// <summary>The admin kubeconfig the server wrote.</summary>
    protected string KubeconfigPath => Path.Combine(DataDir, "kubeconfig");

    protected Kubectl Kubectl { get; private set; } = null!;

    private MkubeProcess _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        DataDir = Directory.CreateTempSubdirectory("mkube-e2e-").FullName;
        _server = MkubeBinary.Start(null, "server", "--data-dir", DataDir, "--https-listen-port", "0", "--write-kubeconfig", KubeconfigPath,
            "--disable-agent", "--disable-scheduler", "--disable-controller-manager");
        await _server.WaitForLogAsync("components are running", TimeSpan.FromSeconds(30));
        Kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        _server.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }
}
