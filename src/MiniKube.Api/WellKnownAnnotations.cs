namespace MiniKube.Api;

/// <summary>
/// Annotation keys that more than one component writes or reads, so a writer and its readers
/// cannot drift apart. Keys that one component alone owns stay beside that component.
/// </summary>
public static class WellKnownAnnotations
{
    /// <summary>On a claim: the node the scheduler picked for a WaitForFirstConsumer volume; the provisioner reads it.</summary>
    public const string SelectedNode = "volume.kubernetes.io/selected-node";
}
