using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace MiniKube.ApiServer.Pki;

/// <summary>
/// The agent's own certificates in <c>DATA_DIR/agent</c>: the kubelet's serving certificate
/// (k3s' serving-kubelet), self-signed as upstream's kubelet makes it without --tls-cert-file
/// (kube-apiserver does not verify it by default). Kept on disk so the renewal rule, <c>mkube
/// certificate check</c> and <c>rotate</c> treat it like every server leaf.
/// </summary>
public static class AgentCertificates
{
    private const string KubeletServingName = "serving-kubelet";

    /// <summary>Every leaf certificate of the agent directory, with the k3s service it belongs to.</summary>
    public static IReadOnlyList<LeafCertificate> Leaves(string nodeName, string nodeIp) =>
    [
        new(KubeletServingName, "kubelet", $"CN={nodeName}@kubelet", nodeIp.Length > 0 ? [nodeName, nodeIp] : [nodeName], CertificateUsage.ServerAuth, null),
    ];

    /// <summary>The kubelet's serving certificate, with its key: made when missing, issued again when its names change, renewed when due.</summary>
    public static X509Certificate2 LoadOrCreateKubeletServing(string agentDirectory, string nodeName, string nodeIp, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(agentDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return LeafCertificates.LoadOrRenew(agentDirectory, Leaves(nodeName, nodeIp).Single(l => l.Name == KubeletServingName), null, time.GetUtcNow(), logger);
    }
}
