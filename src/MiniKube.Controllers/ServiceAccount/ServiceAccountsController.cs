using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.Client;
using MiniKube.Controllers.Common;

namespace MiniKube.Controllers.ServiceAccount;

/// <summary>
/// Gives every active namespace a "default" ServiceAccount, and makes it again when someone
/// deletes it (pkg/controller/serviceaccount/serviceaccounts_controller.go). Keys are namespace
/// names. No token Secrets: since 1.24 pods get projected tokens instead.
/// </summary>
public sealed partial class ServiceAccountsController : IController
{
    /// <summary>The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions).</summary>
    public static readonly IReadOnlyList<string> Accounts = ["default"];

    private readonly IKubernetes _client;
    private readonly Informer<V1Namespace> _namespaces;
    private readonly Informer<V1ServiceAccount> _accounts;
    private readonly WorkQueue<string> _queue;
    private readonly ILogger _logger;

    public ServiceAccountsController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _logger = context.Loggers.CreateLogger<ServiceAccountsController>();
        _queue = new WorkQueue<string>(context.Time);
        _namespaces = context.Informers.Namespaces;
        _accounts = context.Informers.ServiceAccounts;
        _namespaces.AddHandler(change =>
        {
            if (!change.IsDelete)
            {
                _queue.Add(change.Key);
            }
        });
        _accounts.AddHandler(change =>
        {
            if (change.IsDelete && Accounts.Contains(change.Old!.Metadata.Name))
            {
                _queue.Add(change.Old.Metadata.NamespaceProperty);
            }
        });
    }

    public string Name => "serviceaccount";

    public Task RunAsync(CancellationToken cancellationToken) => _queue.RunAsync(1, SyncAsync, cancellationToken);

    /// <summary>Creates the missing accounts of one namespace; a namespace gone or terminating gets none.</summary>
    public async Task SyncAsync(string namespaceName, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Get(namespaceName);
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
                await _client.CoreV1.CreateNamespacedServiceAccountAsync(
                    new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = name } }, namespaceName, cancellationToken: cancellationToken);
                LogCreated(namespaceName, name);
            }
            catch (HttpOperationException e) when (ApiErrors.IsConflict(e) || e.Response.StatusCode == System.Net.HttpStatusCode.Forbidden)
            {
                // Already there (our cache lags), or the namespace started terminating: nothing to do either way.
            }
            catch (HttpOperationException e)
            {
                LogFailed(namespaceName, name, PodControl.StatusMessage(e));
                _queue.AddRateLimited(namespaceName);
                return;
            }
        }
        _queue.Forget(namespaceName);
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "Created service account {Namespace}/{Name}")]
    private partial void LogCreated(string @namespace, string name);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Creating service account {Namespace}/{Name} failed ({Reason}); retrying")]
    private partial void LogFailed(string @namespace, string name, string reason);
}
