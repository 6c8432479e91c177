using System.Net;
using MiniKube.ApiServer.Pki;

namespace MiniKube.ApiServer;

/// <summary>Where and how the API server listens.</summary>
public sealed class ApiServerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>HTTPS port; 0 lets the OS choose (tests).</summary>
    public int Port { get; init; } = 6443;

    public required ClusterPki Pki { get; init; }

    /// <summary>The Kubernetes release served at /version, e.g. v1.32.0.</summary>
    public required string KubernetesVersion { get; init; }
}
