using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace MiniKube.Agent.Kubelet;

/// <summary>Who called the kubelet API: a user name and groups, as the API server would see them.</summary>
internal sealed record KubeletCaller(string Name, IReadOnlyList<string> Groups, string Uid = "")
{
    /// <summary>Extra attributes from a TokenReview, passed on to the SubjectAccessReview.</summary>
    public IDictionary<string, IList<string>>? Extra { get; init; }
}

/// <summary>
/// The kubelet API's webhook authentication and authorization (pkg/kubelet/server/auth.go and
/// kubelet's --authentication-token-webhook / --authorization-mode=Webhook, which k3s sets):
/// a client certificate the cluster CA issued names the caller (CN the user, O the groups); a
/// bearer token is checked with a TokenReview. Each request is then authorized by a
/// SubjectAccessReview for <c>nodes/&lt;subresource&gt;</c> of this node, the verb from the HTTP
/// method and the subresource from the path (<c>stats</c>, <c>metrics</c>, <c>log</c>,
/// <c>checkpoint</c>; <c>proxy</c> for everything else: logs, exec, attach, port-forward).
/// Answers are cached as upstream's defaults: token reviews 2 minutes, allowed decisions
/// 5 minutes, refusals 30 seconds.
/// </summary>
internal sealed class KubeletAuth(IKubernetes client, string nodeName, TimeProvider time)
{
    private static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AllowedTtl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeniedTtl = TimeSpan.FromSeconds(30);

    // Bounded as upstream's caches are: beyond this many entries the cache starts over.
    private const int MaxEntries = 4096;

    private static readonly (string Prefix, string Subresource)[] Subresources =
        [("/stats", "stats"), ("/metrics", "metrics"), ("/logs", "log"), ("/checkpoint", "checkpoint")];

    private readonly ConcurrentDictionary<string, (KubeletCaller? Caller, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool Allowed, string Reason, DateTimeOffset Until)> _decisions = new(StringComparer.Ordinal);

    /// <summary>The caller, or null when the request carries neither a valid certificate nor a valid token.</summary>
    public async Task<KubeletCaller?> AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Kestrel has already checked that a presented certificate chains to the cluster CA.
        if (context.Connection.ClientCertificate is { } certificate)
        {
            return FromCertificate(certificate);
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return null;
        }
        return await ReviewTokenAsync(header[7..].Trim(), context.RequestAborted);
    }

    /// <summary>Whether <paramref name="caller"/> may make <paramref name="request"/>, and upstream's refusal text when not.</summary>
    public async Task<(bool Allowed, string Message)> AuthorizeAsync(KubeletCaller caller, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        var verb = Verb(request.Method);
        var subresource = SubresourceOf(request.Path.Value ?? "/");
        var key = string.Join('\n', caller.Name, caller.Uid, string.Join(',', caller.Groups), verb, subresource);
        var now = time.GetUtcNow();
        if (!_decisions.TryGetValue(key, out var cached) || cached.Until <= now)
        {
            var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = caller.Name,
                    Groups = [.. caller.Groups],
                    Uid = caller.Uid.Length > 0 ? caller.Uid : null,
                    Extra = caller.Extra,
                    ResourceAttributes = new V1ResourceAttributes { Verb = verb, Version = "v1", Resource = "nodes", Subresource = subresource, Name = nodeName, Group = "" },
                },
            }, cancellationToken: request.HttpContext.RequestAborted);
            var allowed = review.Status?.Allowed == true;
            cached = (allowed, review.Status?.Reason ?? "", now + (allowed ? AllowedTtl : DeniedTtl));
            Remember(_decisions, key, cached);
        }
        // auth.go's message for a refusal.
        return cached.Allowed ? (true, "") : (false, $"Forbidden (user={caller.Name}, verb={verb}, resource=nodes, subresource={subresource})");
    }

    /// <summary>The subresource a kubelet path stands for (upstream's GetRequestAttributes).</summary>
    public static string SubresourceOf(string path)
    {
        foreach (var (prefix, subresource) in Subresources)
        {
            if (path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal))
            {
                return subresource;
            }
        }
        return "proxy";
    }

    /// <summary>The API verb for an HTTP method, as auth.go maps it (unknown methods: empty, which no rule grants).</summary>
    public static string Verb(string method) => ApiVerbs.FromHttpMethod(method);

    /// <summary>The user of an x509 client certificate as kube-apiserver reads it: CN the name, each O a group.</summary>
    public static KubeletCaller FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string name = "";
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            var oid = rdn.GetSingleElementType().Value;
            var value = rdn.GetSingleElementValue() ?? "";
            if (oid == "2.5.4.3")
            {
                name = value;
            }
            else if (oid == "2.5.4.10")
            {
                groups.Add(value);
            }
        }
        groups.Add("system:authenticated");
        return new KubeletCaller(name, groups);
    }

    private async Task<KubeletCaller?> ReviewTokenAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken);
        var status = review.Status;
        var caller = status?.Authenticated == true && status.User is { } user
            ? new KubeletCaller(user.Username ?? "", [.. user.Groups ?? []], user.Uid ?? "") { Extra = user.Extra }
            : null;
        Remember(_tokens, key, (caller, now + TokenTtl));
        return caller;
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }
        cache[key] = value;
    }
}
