using k8s;

namespace MiniKube.Client;

/// <summary>
/// Deep copies of API objects. Objects handed out by an informer's cache are shared by every
/// controller in the process: copy one with <see cref="Clone{T}"/> before changing it
/// (client-go's generated DeepCopy plays this role upstream).
/// </summary>
public static class ObjectCopy
{
    /// <summary>A deep copy made through the client's own JSON form, so every field the model knows survives.</summary>
    public static T Clone<T>(T obj)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(obj);
        return KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
    }
}
