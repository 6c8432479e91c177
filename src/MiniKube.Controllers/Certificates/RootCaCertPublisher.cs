using k8s.Models;

namespace MiniKube.Controllers.Certificates;

/// <summary>
/// kube-controller-manager's <c>root-ca-cert-publisher</c> (pkg/controller/certificates/rootcacertpublisher):
/// every active namespace holds a ConfigMap <c>kube-root-ca.crt</c> whose <c>ca.crt</c> is the
/// cluster CA, which the service-account token volume projects next to the token so in-cluster
/// clients can verify the API server. Keys are namespace names; a namespace is synced when it
/// appears or changes and when its ConfigMap is changed or deleted, so an edit is put back.
/// Does nothing when the manager was given no CA.
/// </summary>
public sealed partial class RootCaCertPublisher : Controller<NamespacedName>
{
    /// <summary>The ConfigMap's name, which pods' projected volumes reference.</summary>
    public const string ConfigMapName = "kube-root-ca.crt";

    private const string DataKey = "ca.crt";
    private const string DescriptionAnnotation = "kubernetes.io/description";
    private const string Description =
        "The cluster's CA bundle, for verifying the kube-apiserver through in-cluster endpoints (the kubernetes Service IP or kubernetes.default.svc). Nothing else about it is guaranteed.";

    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<V1ConfigMap> _configMaps;
    private readonly string _rootCa;

    public RootCaCertPublisher(ControllerContext context)
        : base(context, "root-ca-cert-publisher", workers: 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        _rootCa = context.RootCaPem;
        _namespaces = context.Informers.Namespaces;
        _configMaps = context.Informers.ConfigMaps;
        // Namespaces added or changed; the ConfigMap changed or deleted (its create is our own write).
        _namespaces.AddHandler(change => Enqueue(change.IsDelete ? null : change.Latest.Metadata.Name));
        _configMaps.AddHandler(change => Enqueue(!change.IsAdd && change.Latest.Metadata.Name == ConfigMapName ? change.Latest.Metadata.NamespaceProperty : null));
    }

    private void Enqueue(string? namespaceName)
    {
        if (namespaceName is not null)
        {
            Queue.Add(new NamespacedName(namespaceName));
        }
    }

    /// <summary>Creates or repairs the namespace's ConfigMap; a namespace gone or terminating gets nothing.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        if (_rootCa.Length == 0)
        {
            return;
        }
        var ns = _namespaces.Get(key);
        if (ns is null || ns.Status?.Phase == "Terminating" || ns.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        var existing = _configMaps.Cache.Get(key.Name, ConfigMapName);
        try
        {
            if (existing is null)
            {
                await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta { Name = ConfigMapName, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description } },
                    Data = new Dictionary<string, string> { [DataKey] = _rootCa },
                }, key.Name, cancellationToken: cancellationToken);
                LogPublished(key.Name);
                return;
            }
            if (existing.Data is { Count: 1 } data && data.TryGetValue(DataKey, out var held) && held == _rootCa
                && existing.Metadata.Annotations?.ContainsKey(DescriptionAnnotation) == true)
            {
                return;
            }
            // Never change the cached object: write a copy with the data replaced whole, as upstream does.
            var repaired = KubernetesJson.Deserialize<V1ConfigMap>(KubernetesJson.Serialize(existing));
            repaired.Data = new Dictionary<string, string> { [DataKey] = _rootCa };
            repaired.Metadata.Annotations ??= new Dictionary<string, string>();
            repaired.Metadata.Annotations[DescriptionAnnotation] = Description;
            await Client.CoreV1.ReplaceNamespacedConfigMapAsync(repaired, ConfigMapName, key.Name, cancellationToken: cancellationToken);
            LogPublished(key.Name);
        }
        catch (HttpOperationException e) when (ApiErrors.IsConflict(e) || ApiErrors.IsNotFound(e) || ApiErrors.IsNamespaceTerminating(e))
        {
            // Our cache lags (it exists already, or changed, or the namespace is going): the
            // informer's next event brings the key back if anything is left to do.
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 260, Level = LogLevel.Debug, Message = "Published the cluster CA in {Namespace}/kube-root-ca.crt")]
    private partial void LogPublished(string @namespace);
}
