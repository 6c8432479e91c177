using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MiniKube.ApiServer.Http;
using MiniKube.Hosting;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// <c>mkube agent</c> in process (simulated runtime) joined to an in-process server: while the
/// cluster runs the ingress add-on the agent gets the ingress identity, serves and publishes its
/// node; with <c>--disable ingress</c> on the server it holds no ingress credential and publishes nothing.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class JoinedAgentComponentTests
{
    private const string Node = "edge-a";

    private static readonly AgentConfig Cluster = new(Defaults.ClusterCidr, Defaults.ServiceCidr, Defaults.ClusterDns, Defaults.ClusterDomain);

    [Test]
    public async Task Run_ClusterRunsIngress_AgentServesAndPublishesItsNodeAsItsOwnUser_WithdrawsOnStop()
    {
        // Port 0: the agent's data plane takes any free ports, as the server's settings say.
        await using var server = await ServerHost.StartAsync("mkube-join-ingress-", (_, _) => { }, s => s with { AgentConfig = Cluster with { Ingress = new IngressPorts(0, 0) } });
        var agentDir = Directory.CreateTempSubdirectory("mkube-agent-ingress-").FullName;
        try
        {
            using var agent = await StartAgentAsync(server, agentDir);
            Discoveryv1EndpointPort[] ports = [];
            await ServerHost.WaitUntilAsync(async () =>
            {
                ports = [.. (await ReadSliceAsync(server.Admin))?.Ports ?? []];
                return ports.Length == 2;
            });

            var slice = (await ReadSliceAsync(server.Admin))!;
            Assert.That(slice.Endpoints.Single().Addresses, Is.EqualTo(new[] { "127.0.0.1" }));
            Assert.That(slice.Endpoints.Single().NodeName, Is.EqualTo(Node));
            var http = ports.Single(p => p.Name == "http").Port!.Value;
            using var client = new HttpClient();
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{http}/"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the agent's data plane answers; no Ingress routes this");
            using (var issued = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(agentDir, "agent", "client-ingress.crt"))))
            {
                Assert.That(issued.Subject, Does.Contain("CN=system:mkube:ingress:" + Node).And.Contain("O=system:mkube:ingress-nodes"), "the node's own data plane user");
            }

            await agent.StopAsync();
            Assert.That(await ReadSliceAsync(server.Admin), Is.Null, "a stopped data plane withdraws its node");
        }
        finally
        {
            Directory.Delete(agentDir, recursive: true);
        }
    }

    [Test]
    public async Task Run_ClusterIngressOff_AgentHoldsNoIngressCredentialAndPublishesNothing()
    {
        await using var server = await ServerHost.StartAsync("mkube-join-noingress-", (_, _) => { }, s => s with { AgentConfig = Cluster });
        var agentDir = Directory.CreateTempSubdirectory("mkube-agent-noingress-").FullName;
        // A credential from a time the cluster ran ingress is not kept.
        Directory.CreateDirectory(Path.Combine(agentDir, "agent"));
        await File.WriteAllTextAsync(Path.Combine(agentDir, "agent", "client-ingress.key"), "stale");
        try
        {
            using var agent = await StartAgentAsync(server, agentDir);
            await ServerHost.WaitUntilAsync(async () => (await server.Admin.CoreV1.ListNodeAsync()).Items.Any(n => n.Metadata.Name == Node));

            Assert.That(File.Exists(Path.Combine(agentDir, "agent", "client-ingress.key")), Is.False);
            Assert.That(File.Exists(Path.Combine(agentDir, "agent", "client-ingress.crt")), Is.False);
            Assert.That(await ReadSliceAsync(server.Admin), Is.Null);
            await agent.StopAsync();
        }
        finally
        {
            Directory.Delete(agentDir, recursive: true);
        }
    }

    [Test]
    public async Task Run_ServerUnreachableAfterJoining_StartsFromStoredCredentialsAndSettings()
    {
        var server = await ServerHost.StartAsync("mkube-join-offline-", (_, _) => { }, s => s with { AgentConfig = Cluster with { ClusterDomain = "edge.local" } });
        var agentDir = Directory.CreateTempSubdirectory("mkube-agent-offline-").FullName;
        try
        {
            var token = (await File.ReadAllTextAsync(Path.Combine(server.DataDir, "server", "token"))).Trim();
            var url = server.Admin.BaseUri.ToString();
            using (var joined = await StartAgentAsync(url, token, agentDir))
            {
                await ServerHost.WaitUntilAsync(async () => (await server.Admin.CoreV1.ListNodeAsync()).Items.Any(n => n.Metadata.Name == Node));
                await joined.StopAsync();
            }
            await server.DisposeAsync();

            using var offline = await StartAgentAsync(url, token, agentDir);
            var stopping = offline.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None); // the join attempt fails within this (connection refused)

            Assert.That(stopping.IsCancellationRequested, Is.False, "the agent runs on without its server");
            Assert.That(await File.ReadAllTextAsync(Path.Combine(agentDir, "agent", "cluster-settings.json")), Does.Contain("edge.local"));
            await offline.StopAsync();
        }
        finally
        {
            Directory.Delete(agentDir, recursive: true);
        }
    }

    private static async Task<IHost> StartAgentAsync(ServerHost server, string agentDir) =>
        await StartAgentAsync(server.Admin.BaseUri.ToString(), (await File.ReadAllTextAsync(Path.Combine(server.DataDir, "server", "token"))).Trim(), agentDir);

    private static async Task<IHost> StartAgentAsync(string url, string token, string agentDir)
    {
        var builder = HostingExtensions.CreateBuilder();
        builder.Services.AddLogging().AddComponentRunner()
            .AddDataDirectory(agentDir, "agent")
            .AddJoinedAgent(new JoinSettings(url, token), new AgentSettings(agentDir, Node, "127.0.0.1", "simulated") { KubeletPort = 0 })
            .AddAgentIngress();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<V1EndpointSlice?> ReadSliceAsync(Kubernetes admin)
    {
        try
        {
            return await admin.DiscoveryV1.ReadNamespacedEndpointSliceAsync("mkube-ingress-" + Node, "kube-system");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
