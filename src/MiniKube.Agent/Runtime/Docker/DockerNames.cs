
namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// Readable, unique Docker container names, in dockershim's scheme (kubernetes
/// pkg/kubelet/dockershim/naming.go): <c>k8s_&lt;container&gt;_&lt;pod&gt;_&lt;namespace&gt;_&lt;uid&gt;_&lt;attempt&gt;</c>,
/// with <c>POD</c> as the container name of a sandbox. Docker refuses a second container of the
/// same name, which makes a duplicate create fail instead of running a pod's container twice.
/// Names are for people; the runtime itself reads only <see cref="DockerLabels"/>.
/// </summary>
internal static class DockerNames
{
    private const string SandboxContainerName = "POD";

    public static string Sandbox(SandboxConfig config, int attempt) =>
        Join(SandboxContainerName, config.PodName, config.Namespace, config.PodUid, attempt);

    public static string Container(PodSandbox sandbox, ContainerConfig config) =>
        Join(config.Name, sandbox.PodName, sandbox.Namespace, sandbox.PodUid, config.Attempt);

    private static string Join(string container, string pod, string ns, string uid, int attempt) =>
        string.Join('_', "k8s", container, pod, ns, uid, attempt.ToString(CultureInfo.InvariantCulture));
}
