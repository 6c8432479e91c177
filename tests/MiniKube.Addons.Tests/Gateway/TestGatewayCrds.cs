using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Addons.Gateway.Crds;

namespace MiniKube.Addons.Tests.Gateway;

/// <summary>
/// The real Gateway API CRDs in a test's API server, installed as <c>mkube server</c> installs
/// them at start (schemas, defaults and CEL rules included), and served once this returns.
/// </summary>
internal static class TestGatewayCrds
{
    public static Task CreateAsync(IKubernetes admin) =>
        GatewayCrdInstaller.InstallAsync(admin, NullLogger.Instance, TimeProvider.System, CancellationToken.None);
}
