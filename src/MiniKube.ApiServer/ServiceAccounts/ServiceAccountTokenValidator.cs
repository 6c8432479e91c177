using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MiniKube.ApiServer.AdmissionPlugins;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>Who a valid service-account token stands for (upstream's ServiceAccountInfo), and for which of the asked audiences.</summary>
public sealed record ServiceAccountIdentity(string Namespace, string Name, string Uid, IReadOnlyList<string> Audiences)
{
    public string PodName { get; init; } = "";

    public string PodUid { get; init; } = "";

    public string NodeName { get; init; } = "";

    public string NodeUid { get; init; } = "";

    /// <summary><c>JTI=&lt;jti&gt;</c> for tokens that carry one (apiserver's CredentialIDForJTI).</summary>
    public string CredentialId { get; init; } = "";
}

/// <summary>
/// Validates service-account tokens as kube-apiserver's JWT token authenticator with its
/// validators (pkg/serviceaccount/jwt.go, claims.go, legacy.go): the signature under one of the
/// cluster's keys, the issuer, an audience in common with the ones asked for, exp/nbf/iat with
/// upstream's one-minute leeway, then the objects the token names — the service account (same
/// uid), the bound pod or secret (same uid, not deleted more than a minute ago), a bound node —
/// read from the watch cache (the store when the cache misses), so a token stops working once
/// what it is bound to is gone. Legacy secret-based tokens are valid while their Secret holds them.
/// </summary>
public sealed class ServiceAccountTokenValidator(ServiceAccountKeys keys, ServiceAccountOptions options, CachedReads reads, TimeProvider clock)
{
    /// <summary>go-jose's DefaultLeeway, which upstream applies to exp, nbf, iat and deletion times.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    private const int MaxRemembered = 8192;

    private static readonly ResourceType ServiceAccounts = ResourceCatalog.Find("", "v1", "serviceaccounts")!;
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType Secrets = ResourceCatalog.Find("", "v1", "secrets")!;
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;

    // What validation needs of an object, by store key, as of its ModRevision: decoding a pod on
    // every request would cost more than the signature check.
    private readonly ConcurrentDictionary<string, Facts> _facts = new(StringComparer.Ordinal);

    // The claims of tokens whose signature verified, by the token's SHA-256: a client sends the
    // same token on every request, and the RSA check costs tens of µs while everything else here
    // is a few lookups. Only the signature's verdict is kept (a function of the token and this
    // instance's fixed keys); issuer, audiences, expiry and the bound objects are checked on every
    // request as before, so a token still fails on the first request after its pod, secret or
    // account is gone (upstream's cached token authenticator keeps whole answers for 10 s instead).
    // Tokens that fail are not kept, as upstream's failure TTL of 0.
    private readonly ConcurrentDictionary<string, TokenClaims> _verified = new(StringComparer.Ordinal);

    /// <summary>
    /// The identity <paramref name="token"/> stands for, or null when it is not a valid
    /// service-account token for any of <paramref name="audiences"/> (the API audiences when null or empty).
    /// </summary>
    public async Task<ServiceAccountIdentity?> ValidateAsync(string token, IReadOnlyList<string>? audiences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (VerifiedClaims(token) is not { } claims)
        {
            return null;
        }
        var accepted = audiences is { Count: > 0 } ? audiences : options.Audiences;
        return claims.IsLegacy
            ? await ValidateLegacyAsync(token, claims, accepted, cancellationToken)
            : await ValidateBoundAsync(claims, accepted, cancellationToken);
    }

    private TokenClaims? VerifiedClaims(string token)
    {
        if (!Jwt.LooksLikeJwt(token))
        {
            return null;
        }
        var digest = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (_verified.TryGetValue(digest, out var known))
        {
            return known;
        }
        if (Jwt.Verify(token, keys.For) is not { } payload || TokenClaims.Read(payload) is not { } claims)
        {
            return null;
        }
        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }
        _verified[digest] = claims;
        return claims;
    }

    private async Task<ServiceAccountIdentity?> ValidateBoundAsync(TokenClaims claims, IReadOnlyList<string> accepted, CancellationToken cancellationToken)
    {
        var granted = claims.Audiences.Where(accepted.Contains).Distinct(StringComparer.Ordinal).ToList();
        if (claims.Issuer != options.Issuer || granted.Count == 0 || !InTime(claims))
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var ns = claims.Namespace;
        if (!await IsLiveAsync(ServiceAccounts, ns, claims.ServiceAccount, now, cancellationToken))
        {
            return null;
        }
        if (claims.Secret is { } secret && !await IsLiveAsync(Secrets, ns, secret, now, cancellationToken))
        {
            return null;
        }
        if (claims.Pod is { } pod && !await IsLiveAsync(Pods, ns, pod, now, cancellationToken))
        {
            return null;
        }
        // A node-bound token needs its node; a pod-bound one only records where its pod ran.
        if (claims.Pod is null && claims.Node is { } node && !await IsLiveAsync(Nodes, null, node, now, cancellationToken))
        {
            return null;
        }
        return new ServiceAccountIdentity(ns, claims.ServiceAccount.Name, claims.ServiceAccount.Uid, granted)
        {
            PodName = claims.Pod?.Name ?? "",
            PodUid = claims.Pod?.Uid ?? "",
            NodeName = claims.Node?.Name ?? "",
            NodeUid = claims.Node?.Uid ?? "",
            CredentialId = claims.Id.Length > 0 ? "JTI=" + claims.Id : "",
        };
    }

    // legacy.go: no audience of its own (valid for the API audiences), no expiry; the secret must
    // still exist, still hold this very token, and the account must exist with the uid claimed.
    private async Task<ServiceAccountIdentity?> ValidateLegacyAsync(string token, TokenClaims claims, IReadOnlyList<string> accepted, CancellationToken cancellationToken)
    {
        var granted = accepted.Where(options.Audiences.Contains).ToList();
        if (claims.Issuer != TokenClaims.LegacyIssuer || granted.Count == 0 || claims.Secret is not { Name.Length: > 0 } secretRef)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var account = await FactsAsync(ServiceAccounts, claims.Namespace, claims.ServiceAccount.Name, cancellationToken);
        if (account is null || Deleted(account, now) || (claims.ServiceAccount.Uid.Length > 0 && account.Uid != claims.ServiceAccount.Uid))
        {
            return null;
        }
        var secret = await FactsAsync(Secrets, claims.Namespace, secretRef.Name, cancellationToken);
        if (secret is null || Deleted(secret, now) || secret.SecretToken is not { } held
            || !CryptographicOperations.FixedTimeEquals(held, Encoding.UTF8.GetBytes(token)))
        {
            return null;
        }
        return new ServiceAccountIdentity(claims.Namespace, claims.ServiceAccount.Name, account.Uid, granted);
    }

    private bool InTime(TokenClaims claims)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var leeway = (long)Leeway.TotalSeconds;
        return claims.Expiry is { } exp && now <= exp + leeway
            && (claims.NotBefore is not { } nbf || now + leeway >= nbf)
            && (claims.IssuedAt is not { } iat || now + leeway >= iat);
    }

    private async Task<bool> IsLiveAsync(ResourceType type, string? ns, ObjectRef reference, DateTimeOffset now, CancellationToken cancellationToken) =>
        await FactsAsync(type, ns, reference.Name, cancellationToken) is { } facts && facts.Uid == reference.Uid && !Deleted(facts, now);

    // Deleted more than a leeway ago (upstream's invalidIfDeletedBefore): a pod in its grace
    // period keeps its token for the first minute.
    private static bool Deleted(Facts facts, DateTimeOffset now) => facts.DeletionTimestamp is { } at && at < now - Leeway;

    private async Task<Facts?> FactsAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        if (name.Length == 0)
        {
            return null;
        }
        if (await reads.GetAsync(type, ns, name, cancellationToken) is not { } kv)
        {
            return null;
        }
        if (_facts.TryGetValue(kv.Key, out var known) && known.Revision == kv.ModRevision)
        {
            return known;
        }
        var obj = ObjectCodec.Decode(kv.Value, kv.ModRevision);
        var deletion = ObjectCodec.Metadata(obj).Str("deletionTimestamp");
        var facts = new Facts(kv.ModRevision, ObjectMeta.Uid(obj) ?? "",
            deletion is null ? null : DateTimeOffset.Parse(deletion, CultureInfo.InvariantCulture),
            obj.Obj("data")?.Str("token") is { } encoded ? Convert.FromBase64String(encoded) : null);
        if (_facts.Count >= MaxRemembered)
        {
            _facts.Clear();
        }
        _facts[kv.Key] = facts;
        return facts;
    }

    private sealed record Facts(long Revision, string Uid, DateTimeOffset? DeletionTimestamp, byte[]? SecretToken);
}
