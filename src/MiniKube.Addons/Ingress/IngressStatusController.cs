using k8s.Autorest;
using MiniKube.Client.Controllers;

namespace MiniKube.Addons.Ingress;

/// <summary>
/// The ingress add-on's control loop, run by the controller manager (so one server writes at a
/// time): at start it makes the default IngressClass <see cref="MkubeIngressClass.Name"/>
/// (controller <see cref="MkubeIngressClass.Controller"/>, annotated
/// <c>ingressclass.kubernetes.io/is-default-class: "true"</c>) unless a class of that name exists;
/// then it keeps <c>status.loadBalancer.ingress</c> of every Ingress it serves equal to the node
/// IPs where a data plane listens (<see cref="IngressNodes"/>), sorted, as ingress-nginx's and
/// Traefik's status updaters publish their Service's addresses. An Ingress that is not ours is
/// left alone. It acts as <see cref="ServiceAccountName"/>, which may only create IngressClasses
/// and update ingresses/status.
/// </summary>
public sealed partial class IngressStatusController : Controller<NamespacedName>
{
    /// <summary>The kube-system service account it acts as.</summary>
    public const string ServiceAccountName = "mkube-ingress-controller";

    private readonly Informer<V1Ingress> _ingresses;
    private readonly Informer<V1IngressClass> _classes;
    private readonly Informer<V1EndpointSlice> _slices;

    public IngressStatusController(ControllerContext context)
        : base(context, "ingress-status", workers: 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ingresses = context.Informers.For(KubeListWatches.Ingresses);
        _classes = context.Informers.For(KubeListWatches.IngressClasses);
        _slices = context.Informers.EndpointSlices;
        _ingresses.AddHandler(change =>
        {
            if (!change.IsDelete)
            {
                Queue.Add(change.Name);
            }
        });
        _slices.AddHandler(change =>
        {
            if (IngressNodes.IsPublication(change.Latest) && !change.IsResync)
            {
                QueueAll();
            }
        });
        _classes.AddHandler(change => QueueAll());
    }

    public static V1IngressClass DefaultClass() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "IngressClass",
        Metadata = new V1ObjectMeta
        {
            Name = MkubeIngressClass.Name,
            Annotations = new Dictionary<string, string> { [IngressClassAnnotations.IsDefault] = "true" },
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "mkube" },
        },
        Spec = new V1IngressClassSpec { Controller = MkubeIngressClass.Controller },
    };

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        await EnsureDefaultClassAsync(cancellationToken);
        await base.RunAsync(cancellationToken);
    }

    /// <summary>The addresses every Ingress of ours should show: the published data planes' node IPs, sorted.</summary>
    public IReadOnlyList<string> Addresses() => IngressNodes.Addresses(_slices);

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_ingresses.Get(key) is not { } ingress
            || ingress.Metadata.DeletionTimestamp is not null
            || !MkubeIngressClass.Serves(ingress, name => _classes.Get(ObjectKeys.Of(null, name))))
        {
            return;
        }
        var addresses = Addresses();
        var current = (ingress.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip ?? i.Hostname ?? "").ToList();
        if (current.SequenceEqual(addresses, StringComparer.Ordinal))
        {
            return;
        }
        var updated = ObjectCopy.Clone(ingress);
        updated.Status ??= new V1IngressStatus();
        updated.Status.LoadBalancer = new V1IngressLoadBalancerStatus { Ingress = [.. addresses.Select(ip => new V1IngressLoadBalancerIngress { Ip = ip })] };
        if (addresses.Count == 0)
        {
            updated.Status.LoadBalancer.Ingress = null;
        }
        try
        {
            await Client.NetworkingV1.ReplaceNamespacedIngressStatusAsync(updated, key.Name, key.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone, or changed since the cache saw it: the watch brings the new version, which is queued again.
        }
    }

    private void QueueAll()
    {
        foreach (var key in _ingresses.Keys)
        {
            Queue.Add(NamespacedName.Parse(key));
        }
    }

    private async Task EnsureDefaultClassAsync(CancellationToken cancellationToken)
    {
        if (_classes.Get(MkubeIngressClass.Name) is not null)
        {
            return;
        }
        try
        {
            await Client.NetworkingV1.CreateIngressClassAsync(DefaultClass(), cancellationToken: cancellationToken);
            LogClassCreated(MkubeIngressClass.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by another server, or by the user: theirs stays.
        }
    }

    [LoggerMessage(EventId = LogEvents.Addons + 510, Level = LogLevel.Information, Message = "Created the default IngressClass {Name}")]
    private partial void LogClassCreated(string name);
}
