using System.Collections.Concurrent;
using MiniKube.Client.Credentials;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The service-account tokens of a node's projected volumes (pkg/kubelet/token token_manager.go):
/// each is requested through the TokenRequest API bound to its pod, kept in memory, and requested
/// again once 80 % of its lifetime has passed (or 24 hours, whichever comes first:
/// <see cref="TokenLifetimes"/>), so the file
/// a pod reads is always valid. Tokens of deleted pods are dropped with the pod.
/// </summary>
internal sealed class ServiceAccountTokens(IKubernetes client, TimeProvider time)
{
    private readonly ConcurrentDictionary<Key, Authenticationv1TokenRequest> _tokens = new();

    /// <summary>A valid token for <paramref name="source"/> in <paramref name="pod"/>.</summary>
    public async Task<string> TokenAsync(V1Pod pod, V1ServiceAccountTokenProjection source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(source);
        var account = pod.Spec.ServiceAccountName is { Length: > 0 } name ? name : "default";
        var expiration = source.ExpirationSeconds ?? 3600;
        var key = new Key(pod.Namespace(), account, source.Audience ?? "", expiration, pod.Metadata.Uid);
        if (_tokens.TryGetValue(key, out var cached) && !NeedsRefresh(cached))
        {
            return cached.Status.Token;
        }
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                Audiences = source.Audience is { Length: > 0 } audience ? [audience] : [],
                ExpirationSeconds = expiration,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Name(), Uid = pod.Metadata.Uid },
            },
        };
        var issued = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, account, pod.Namespace(), cancellationToken: cancellationToken);
        if (string.IsNullOrEmpty(issued.Status?.Token))
        {
            throw new ContainerConfigException($"the API server issued no token for service account {pod.Namespace()}/{account}");
        }
        _tokens[key] = issued;
        return issued.Status.Token;
    }

    /// <summary>Forgets the tokens of the pod with <paramref name="podUid"/>.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.PodUid == podUid))
        {
            _tokens.TryRemove(key, out _);
        }
    }

    // Requested again past 80 % of the lifetime the server granted, or a day (the shared rule), counted from the expiry the server reported.
    private bool NeedsRefresh(Authenticationv1TokenRequest token)
    {
        if (token.Status.ExpirationTimestamp is not { } expires || token.Spec.ExpirationSeconds is not { } seconds)
        {
            return true;
        }
        var expiry = new DateTimeOffset(DateTime.SpecifyKind(expires.ToUniversalTime(), DateTimeKind.Utc));
        return time.GetUtcNow() >= TokenLifetimes.RefreshAt(expiry.AddSeconds(-seconds), expiry);
    }

    private readonly record struct Key(string Namespace, string Account, string Audience, long Expiration, string PodUid);
}
