namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Ephemeral containers seen as containers: upstream's kubelet runs an EphemeralContainerCommon
/// through the same code as a Container (it is the same struct there); the C# models are two
/// classes, so the fields an ephemeral container may carry are copied over here. Probes,
/// lifecycle, ports and resources are never set on one (the API server refuses them).
/// </summary>
internal static class EphemeralContainers
{
    public static V1Container AsContainer(V1EphemeralContainer container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return new V1Container
        {
            Name = container.Name,
            Image = container.Image,
            Command = container.Command,
            Args = container.Args,
            WorkingDir = container.WorkingDir,
            Env = container.Env,
            EnvFrom = container.EnvFrom,
            VolumeMounts = container.VolumeMounts,
            VolumeDevices = container.VolumeDevices,
            SecurityContext = container.SecurityContext,
            ImagePullPolicy = container.ImagePullPolicy,
            TerminationMessagePath = container.TerminationMessagePath,
            TerminationMessagePolicy = container.TerminationMessagePolicy,
            Stdin = container.Stdin,
            StdinOnce = container.StdinOnce,
            Tty = container.Tty,
        };
    }
}
