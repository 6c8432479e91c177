using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>
/// The handlers most controllers add (sample-controller's informer wiring): the informer of
/// the kind a controller converges queues each changed object's own key; an informer of a kind
/// it makes queues the key of the changed object's controller (handleObject); a pod informer of
/// the endpoints controllers queues the services selecting the pod. Each returns the informer, so
/// a constructor wires and keeps it in one statement.
/// </summary>
internal static class InformerHandlers
{
    /// <summary>Every change of an object queues its own key.</summary>
    public static Informer<T> EnqueueKeys<T>(this Informer<T> informer, ReconcileLoop<NamespacedName> queue)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(change => queue.Add(change.Name));
        return informer;
    }

    /// <summary>Every change of an object controlled by a <paramref name="kind"/> queues that controller's key.</summary>
    public static Informer<T> EnqueueControllers<T>(this Informer<T> informer, ReconcileLoop<NamespacedName> queue, string kind)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        informer.AddHandler(change =>
        {
            if (ControllerRefs.OwnerKey(change.Latest, kind) is { } key)
            {
                queue.Add(key);
            }
        });
        return informer;
    }

    /// <summary>Every pod change queues the services that select the pod before or after it (the endpoints controllers' pod handler).</summary>
    public static Informer<V1Pod> EnqueueSelectingServices(this Informer<V1Pod> pods, ReconcileLoop<NamespacedName> queue, Informer<V1Service> services)
    {
        pods.AddHandler(change =>
        {
            foreach (var key in EndpointPods.ServicesFor(change, services))
            {
                queue.Add(key);
            }
        });
        return pods;
    }
}
