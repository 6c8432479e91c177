using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>
/// pods/exec and pods/attach end to end in-process: a client → the API server → the kubelet's
/// WebSocket endpoint → the simulated runtime, whose exec prints nothing and exits with the
/// code its command asks for. The node's address is loopback so the API server can dial it.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubeletStreamTests
{
    private KubeletTestCluster _cluster = null!;

    [SetUp]
    public async Task SetUp()
    {
        _cluster = await KubeletTestCluster.StartAsync();
        await _cluster.StartKubeletAsync(nodeIp: "127.0.0.1");
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "shell" },
            Spec = new V1PodSpec
            {
                NodeName = "node1",
                Containers = [new V1Container { Name = "main", Image = "mkube.local/busybox:1", Command = ["sleep", "3600"] }],
            },
        }, "default");
        await _cluster.WaitForPodAsync("shell", p => p.Status?.Phase == "Running");
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task Exec_WithTheOfficialClient_ReturnsTheCommandsExitCode()
    {
        var failed = await _cluster.Client.NamespacedPodExecAsync("shell", "default", "main", ["sh", "-c", "exit 3"], false, (_, _, _) => Task.CompletedTask, CancellationToken.None);
        var succeeded = await _cluster.Client.NamespacedPodExecAsync("shell", "default", "main", ["true"], false, (_, _, _) => Task.CompletedTask, CancellationToken.None);

        Assert.That(failed, Is.EqualTo(3));
        Assert.That(succeeded, Is.EqualTo(0));
    }

    [Test]
    public async Task Exec_V5_ClosingStdinThenTheStatusArrivesAndTheSocketCloses()
    {
        using var socket = await ConnectAsync("exec?command=cat&stdin=true&stdout=true&stderr=true", "v5.channel.k8s.io");
        await socket.SendAsync(new byte[] { 0, (byte)'h', (byte)'i' }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await socket.SendAsync(new byte[] { 255, 0 }, WebSocketMessageType.Binary, true, CancellationToken.None);

        var (channel, payload) = await ReceiveAsync(socket);
        var status = JsonNode.Parse(payload)!;
        var end = await socket.ReceiveAsync(new byte[16], CancellationToken.None);

        Assert.That(socket.SubProtocol, Is.EqualTo("v5.channel.k8s.io"));
        Assert.That(channel, Is.EqualTo(3));
        Assert.That(status["status"]!.GetValue<string>(), Is.EqualTo("Success"));
        Assert.That(end.MessageType, Is.EqualTo(WebSocketMessageType.Close));
    }

    [Test]
    public async Task Exec_NonZeroExit_StatusCarriesTheExitCodeCause()
    {
        using var socket = await ConnectAsync("exec?command=false&stdout=true", "v4.channel.k8s.io");

        var (channel, payload) = await ReceiveAsync(socket);
        var status = JsonNode.Parse(payload)!;

        Assert.That(channel, Is.EqualTo(3));
        Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("NonZeroExitCode"));
        Assert.That(status["details"]!["causes"]![0]!["reason"]!.GetValue<string>(), Is.EqualTo("ExitCode"));
        Assert.That(status["details"]!["causes"]![0]!["message"]!.GetValue<string>(), Is.EqualTo("1"));
    }

    [Test]
    public void Exec_UnknownContainer_IsRefusedWithTheReason()
    {
        // Checked before any upgrade, so even a plain request gets the Status with the reason.
        var refused = Assert.ThrowsAsync<HttpOperationException>(() =>
            _cluster.Client.CoreV1.ConnectGetNamespacedPodExecAsync("shell", "default", command: "true", container: "nope", stdout: true));

        Assert.That((int)refused!.Response.StatusCode, Is.EqualTo(400));
        Assert.That(refused.Response.Content, Does.Contain("container nope is not valid for pod shell"));
    }

    [Test]
    public void Exec_WithoutAnOfferedProtocolWeServe_IsRefused()
    {
        var refused = Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync("exec?command=true&stdout=true", "v3.channel.k8s.io"));

        Assert.That(refused!.Message, Does.Contain("400"));
    }

    [Test]
    public async Task Attach_EndsWithSuccessWhenTheContainerStreamEnds()
    {
        using var socket = await ConnectAsync("attach?stdout=true&container=main", "v5.channel.k8s.io");

        var (channel, payload) = await ReceiveAsync(socket);

        Assert.That(channel, Is.EqualTo(3));
        Assert.That(JsonNode.Parse(payload)!["status"]!.GetValue<string>(), Is.EqualTo("Success"));
    }

    [Test]
    public async Task Attach_ToAnEphemeralContainer_ReachesIt()
    {
        var patch = new V1Patch("""{"spec":{"ephemeralContainers":[{"name":"debugger","image":"mkube.local/busybox:1","command":["sh"],"stdin":true,"tty":true}]}}""", V1Patch.PatchType.StrategicMergePatch);
        await _cluster.Client.CoreV1.PatchNamespacedPodEphemeralcontainersAsync(patch, "shell", "default");
        await _cluster.WaitForPodAsync("shell", p => p.Status?.EphemeralContainerStatuses?.SingleOrDefault()?.State?.Running is not null);

        using var socket = await ConnectAsync("attach?container=debugger&stdin=true&stdout=true&tty=true", "v5.channel.k8s.io");
        var (channel, payload) = await ReceiveAsync(socket);

        Assert.That(channel, Is.EqualTo(3));
        Assert.That(JsonNode.Parse(payload)!["status"]!.GetValue<string>(), Is.EqualTo("Success"));
    }

    private async Task<ClientWebSocket> ConnectAsync(string subresourceAndQuery, string protocol)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        socket.Options.ClientCertificates.Add(_cluster.Server.Pki.Admin);
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => IssuedByClusterCa(certificate);
        var uri = new Uri(new Uri(_cluster.Client.BaseUri.ToString().Replace("https://", "wss://", StringComparison.Ordinal)), "api/v1/namespaces/default/pods/shell/" + subresourceAndQuery);
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<(int Channel, string Payload)> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return (buffer[0], Encoding.UTF8.GetString(buffer, 1, length - 1));
    }

    private bool IssuedByClusterCa(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_cluster.Server.Pki.Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var served = new X509Certificate2(certificate);
        return chain.Build(served);
    }
}
