using System.Text;
using k8s.Models;

namespace MiniKube.Controllers.ServiceAccount;

/// <summary>
/// kube-controller-manager's <c>serviceaccount-token</c> controller (pkg/controller/serviceaccount/tokens_controller.go):
/// a Secret of type <c>kubernetes.io/service-account-token</c> naming a service account in its
/// <c>kubernetes.io/service-account.name</c> annotation gets <c>token</c>, <c>ca.crt</c> and
/// <c>namespace</c> filled in and the account's uid recorded; one naming an account that does not
/// exist (or exists with another uid) is deleted, and so are an account's token Secrets when the
/// account goes. Keys are Secret names.
/// <para>
/// Upstream signs these legacy tokens with the service-account private key inside the controller
/// manager. Here the key stays in the API server: the controller asks serviceaccounts/token for a
/// token bound to the Secret with the longest lifetime TokenRequest allows (2^32 s). Such a token
/// stops working when the Secret is deleted or replaced, as a legacy one does, and the API server
/// still accepts legacy tokens that other clusters' controllers wrote.
/// </para>
/// </summary>
public sealed partial class TokensController : Controller<NamespacedName>
{
    public const string SecretType = "kubernetes.io/service-account-token";
    public const string NameAnnotation = "kubernetes.io/service-account.name";
    public const string UidAnnotation = "kubernetes.io/service-account.uid";

    private const long Lifetime = 1L << 32;

    private readonly Informer<V1Secret> _secrets;
    private readonly Informer<V1ServiceAccount> _accounts;
    private readonly string _rootCa;

    public TokensController(ControllerContext context)
        : base(context, "serviceaccount-token", workers: 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        _rootCa = context.RootCaPem;
        _secrets = context.Informers.Secrets;
        _accounts = context.Informers.ServiceAccounts;
        _secrets.AddHandler(change =>
        {
            if (!change.IsDelete && change.Latest.Type == SecretType)
            {
                Queue.Add(change.Name);
            }
        });
        // An account gone takes its token Secrets with it.
        _accounts.AddHandler(change =>
        {
            if (change.IsDelete)
            {
                var gone = change.Old!.Metadata;
                foreach (var secret in _secrets.List().Where(s => s.Type == SecretType && s.Metadata.NamespaceProperty == gone.NamespaceProperty && AccountOf(s) == gone.Name))
                {
                    Queue.Add(new NamespacedName(secret.Metadata.NamespaceProperty, secret.Metadata.Name));
                }
            }
        });
    }

    public override async Task SyncAsync(NamespacedName key, CancellationToken cancellationToken)
    {
        var secret = _secrets.Get(key);
        if (secret is null || secret.Type != SecretType || secret.Metadata.DeletionTimestamp is not null)
        {
            return;
        }
        var account = await AccountAsync(key.Namespace, AccountOf(secret), cancellationToken);
        var wantedUid = Annotation(secret, UidAnnotation);
        if (account is null || (!string.IsNullOrEmpty(wantedUid) && wantedUid != account.Metadata.Uid))
        {
            await DeleteAsync(key, secret, cancellationToken);
            return;
        }
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        if (data.ContainsKey("token") && data.ContainsKey("namespace") && (data.ContainsKey("ca.crt") || _rootCa.Length == 0) && wantedUid == account.Metadata.Uid)
        {
            return;
        }
        var reply = await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                ExpirationSeconds = Lifetime,
                BoundObjectRef = new V1BoundObjectReference { Kind = "Secret", ApiVersion = "v1", Name = key.Name, Uid = secret.Metadata.Uid },
            },
        }, account.Metadata.Name, key.Namespace, cancellationToken: cancellationToken);
        // Never change the cached object: the write is a copy.
        var filled = KubernetesJson.Deserialize<V1Secret>(KubernetesJson.Serialize(secret));
        filled.Data = new Dictionary<string, byte[]>(data)
        {
            ["token"] = Encoding.UTF8.GetBytes(reply.Status.Token),
            ["namespace"] = Encoding.UTF8.GetBytes(key.Namespace),
        };
        if (_rootCa.Length > 0)
        {
            filled.Data["ca.crt"] = Encoding.UTF8.GetBytes(_rootCa);
        }
        filled.Metadata.Annotations ??= new Dictionary<string, string>();
        filled.Metadata.Annotations[UidAnnotation] = account.Metadata.Uid;
        try
        {
            await Client.CoreV1.ReplaceNamespacedSecretAsync(filled, key.Name, key.Namespace, cancellationToken: cancellationToken);
            LogFilled(key.Namespace, key.Name, account.Metadata.Name);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Changed or deleted meanwhile: the informer brings the key back if work is left.
        }
    }

    private static string AccountOf(V1Secret secret) => Annotation(secret, NameAnnotation) ?? "";

    private static string? Annotation(V1Secret secret, string key) =>
        secret.Metadata.Annotations is { } annotations && annotations.TryGetValue(key, out var value) ? value : null;

    // The cache first; a miss is settled by a live read (the account may be newer than the cache), as upstream.
    private async Task<V1ServiceAccount?> AccountAsync(string ns, string name, CancellationToken cancellationToken)
    {
        if (name.Length == 0)
        {
            return null;
        }
        if (_accounts.Cache.Get(ns, name) is { } cached)
        {
            return cached;
        }
        try
        {
            return await Client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    private async Task DeleteAsync(NamespacedName key, V1Secret secret, CancellationToken cancellationToken)
    {
        try
        {
            await Client.CoreV1.DeleteNamespacedSecretAsync(key.Name, key.Namespace,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = secret.Metadata.Uid } }, cancellationToken: cancellationToken);
            var account = AccountOf(secret);
            LogDeleted(key.Namespace, key.Name, account);
        }
        catch (HttpOperationException e) when (ApiErrors.IsGoneOrReplaced(e))
        {
            // Already gone, or replaced by a newer Secret its own sync will judge.
        }
    }

    [LoggerMessage(EventId = LogEvents.Controllers + 251, Level = LogLevel.Debug, Message = "Filled token Secret {Namespace}/{Name} for service account {Account}")]
    private partial void LogFilled(string @namespace, string name, string account);

    [LoggerMessage(EventId = LogEvents.Controllers + 252, Level = LogLevel.Information, Message = "Deleted token Secret {Namespace}/{Name}: its service account {Account} does not exist")]
    private partial void LogDeleted(string @namespace, string name, string account);
}
