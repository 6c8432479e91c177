using k8s.Models;

namespace MiniKube.Controllers.ServiceAccount;

/// <summary>
/// Gives every active namespace a "default" ServiceAccount, and makes it again when someone
/// deletes it (pkg/controller/serviceaccount/serviceaccounts_controller.go). Keys are namespace
/// names. No token Secrets: since 1.24 pods get projected tokens instead.
/// </summary>
public sealed partial class ServiceAccountsController : Controller<NamespacedName>
{
    /// <summary>The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions).</summary>
    public static readonly IReadOnlyList<string> Accounts = ["default"];

    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<V1ServiceAccount> _accounts;

    public ServiceAccountsController(ControllerContext context)
        : base(context, "serviceaccount", workers: 1)
    {
        _namespaces = context.Informers.Namespaces;
        _accounts = context.Informers.ServiceAccounts;
        _namespaces.AddHandler(change =>
        {
            if (!change.IsDelete)
            {
                Queue.Add(change.Name);
            }
        });
        _accounts.AddHandler(change =>
        {
            if (change.IsDelete && Accounts.Contains(change.Old!.Metadata.Name))
            {
                Queue.Add(new NamespacedName(change.Old.Metadata.NamespaceProperty));
            }
        });
    }

    /// <summary>Creates the missing accounts of one namespace (keys are namespace names); a namespace gone or terminating gets none.</summary>
    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var namespaceName = key.Name;
        var ns = _namespaces.Get(key);
        if (ns is null || (ns.Status?.Phase is { } phase && phase != "Active") || ns.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        foreach (var name in Accounts)
        {
            if (_accounts.Cache.Get(namespaceName, name) is not null)
            {
                continue;
            }
            try
            {
                await Client.CoreV1.CreateNamespacedServiceAccountAsync(
                    new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, namespaceName, cancellationToken: cancellationToken);
                LogCreated(namespaceName, name);
            }
            catch (HttpOperationException e) when (ApiErrors.IsConflict(e) || e.Response.StatusCode == System.Net.HttpStatusCode.Forbidden)
            {
                // Already there (our cache lags), or the namespace started terminating: nothing to do either way.
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 250, Level = LogLevel.Debug, Message = "Created service account {Namespace}/{Name}")]
    private partial void LogCreated(string @namespace, string name);
}
