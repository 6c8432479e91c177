using MiniKube.Testing;
using k8s;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>Each test gets its own in-process API server (own temp dir, own port) and a client bound to it.</summary>
public abstract class ApiServerFixture
{
    private protected TestApiServer Server { get; set; } = null!;

    protected Kubernetes Client { get; set; } = null!;

    [SetUp]
    public async Task StartServer()
    {
        Server = await TestApiServer.StartAsync();
        Client = Server.Client();
    }

    [TearDown]
    public async Task StopServer()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Server.DeleteDirectory();
    }
}
