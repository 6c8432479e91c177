using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Strategies;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>
/// The <c>serviceaccounts/token</c> subresource (pkg/registry/core/serviceaccount/storage/token.go
/// of v1.32, with pkg/apis/authentication/validation): a TokenRequest for an existing service
/// account gets a signed token for the requested audiences (the API audiences when none), lifetime
/// (3600 s by default, at least 10 minutes) and optional bound Pod, Secret or Node, which must exist
/// (a pod must run as this account; a uid given must match). Nothing is stored.
/// </summary>
public sealed class TokenRequests(ResourceRegistry registry, ServiceAccountKeys keys, ServiceAccountOptions options)
{
    /// <summary>The lifetime kubelets ask for, which upstream extends to a year with a warnafter (WarnOnlyBoundTokenExpirationSeconds).</summary>
    public const long KubeletExpirationSeconds = 3607;

    private const long DefaultExpirationSeconds = 3600;
    private const long MinimumExpirationSeconds = 600;
    private const long ExtendedExpirationSeconds = 365L * 24 * 60 * 60;

    private static readonly ResourceType ServiceAccounts = ResourceCatalog.Find("", "v1", "serviceaccounts")!;
    private static readonly ResourceType Pods = ResourceCatalog.Find("", "v1", "pods")!;
    private static readonly ResourceType Secrets = ResourceCatalog.Find("", "v1", "secrets")!;
    private static readonly ResourceType Nodes = ResourceCatalog.Find("", "v1", "nodes")!;

    /// <summary>Answers a TokenRequest for <paramref name="ns"/>/<paramref name="name"/>: the request with spec defaulted and status filled.</summary>
    public async Task<JsonObject> CreateAsync(string ns, string name, JsonObject request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Mutating admission comes before the REST create, as upstream's handler runs it (NodeRestriction: a node's token must be bound to its pod).
        await registry.AdmitSubresourceCreateAsync(ServiceAccounts, ns, name, "token", request, dryRun: false, cancellationToken);
        var metadata = request.Obj("metadata");
        CheckMatches(metadata.StrOrEmpty("name"), name, "name", "must match the service account name if specified");
        CheckMatches(metadata.StrOrEmpty("namespace"), ns, "namespace", "must match the service account namespace if specified");
        var account = await registry.GetAsync(ServiceAccounts, ns, name, cancellationToken);
        var spec = request.Obj("spec");
        var audiences = Audiences(spec);
        var expiration = spec.Has("expirationSeconds")
            ? JsonFields.AsLong(spec!["expirationSeconds"]) ?? throw Undecodable("spec.expirationSeconds", "int64")
            : DefaultExpirationSeconds;
        Validate(expiration);

        var now = registry.Clock.GetUtcNow();
        var bound = spec.Obj("boundObjectRef");
        ObjectRef? pod = null, secret = null, node = null;
        if (bound is not null)
        {
            (pod, secret, node) = await BoundObjectAsync(ns, name, bound, cancellationToken);
        }
        if (options.MaxTokenExpiration is { } max && expiration > (long)max.TotalSeconds)
        {
            var shortened = (long)max.TotalSeconds;
            RequestWarnings.Add(string.Create(CultureInfo.InvariantCulture, $"requested expiration of {expiration} seconds shortened to {shortened} seconds"));
            expiration = shortened;
        }
        // Kubelets ask for 3607 s: the token lives a year but reports a warnafter, so clients that
        // never refresh keep working while audits can see them (upstream's safe rollout of bound tokens).
        long? warnAfter = null;
        var lifetime = expiration;
        if (options.ExtendTokenExpiration && pod is not null && expiration == KubeletExpirationSeconds && audiences.All(options.Audiences.Contains))
        {
            warnAfter = now.ToUnixTimeSeconds() + expiration;
            lifetime = options.MaxTokenExpiration is { } cap ? Math.Max((long)cap.TotalSeconds, expiration) : ExtendedExpirationSeconds;
        }
        var claims = new TokenClaims
        {
            Issuer = options.Issuer,
            Namespace = ns,
            ServiceAccount = new ObjectRef(name, ObjectMeta.Uid(account) ?? ""),
            Audiences = audiences,
            IssuedAt = now.ToUnixTimeSeconds(),
            NotBefore = now.ToUnixTimeSeconds(),
            Expiry = now.ToUnixTimeSeconds() + lifetime,
            Id = Guid.NewGuid().ToString(),
            Pod = pod,
            Secret = secret,
            Node = node,
            WarnAfter = warnAfter,
        };
        var replySpec = new JsonObject
        {
            ["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode)a)]),
            ["expirationSeconds"] = expiration,
            ["boundObjectRef"] = bound?.DeepClone(),
        };
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = ObjectMeta.Timestamp(now) },
            ["spec"] = replySpec,
            ["status"] = new JsonObject
            {
                ["token"] = Sign(claims),
                // The requested lifetime, also for extended kubelet tokens: that is when the kubelet should refresh.
                ["expirationTimestamp"] = ObjectMeta.Timestamp(now.AddSeconds(expiration)),
            },
        };
    }

    /// <summary>The signed token carrying <paramref name="claims"/>.</summary>
    public string Sign(TokenClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return Jwt.Sign(keys.Signing, keys.SigningKeyId, claims.Write());
    }

    private List<string> Audiences(JsonObject? spec)
    {
        var given = spec?["audiences"] switch
        {
            null => [],
            JsonArray array => array.Select(a => ObjectMeta.Str(a) ?? throw Undecodable("spec.audiences", "string")).ToList(),
            _ => throw Undecodable("spec.audiences", "[]string"),
        };
        return given.Count > 0 ? given : [.. options.Audiences];
    }

    private static void Validate(long expiration)
    {
        var errors = new List<FieldError>();
        var path = FieldPath.Of("spec", "expirationSeconds");
        if (expiration < MinimumExpirationSeconds)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(expiration), "may not specify a duration less than 10 minutes"));
        }
        if (expiration > 1L << 32)
        {
            errors.Add(FieldError.Invalid(path, BadValue.Of(expiration), "may not specify a duration larger than 2^32 seconds"));
        }
        if (errors.Count > 0)
        {
            // Upstream names no object in this Invalid: TokenRequest.authentication.k8s.io "" is invalid.
            throw ApiException.Invalid("authentication.k8s.io", "TokenRequest", "", [.. errors]);
        }
    }

    private async Task<(ObjectRef? Pod, ObjectRef? Secret, ObjectRef? Node)> BoundObjectAsync(string ns, string account, JsonObject bound, CancellationToken cancellationToken)
    {
        var kind = bound.StrOrEmpty("kind");
        var apiVersion = bound.StrOrEmpty("apiVersion");
        var boundName = bound.StrOrEmpty("name");
        var wantedUid = bound.StrOrEmpty("uid");
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        ObjectRef? pod = null, secret = null, node = null;
        ObjectRef found;
        switch (group, kind)
        {
            case ("", "Pod"):
                var podObject = await registry.GetAsync(Pods, ns, boundName, cancellationToken);
                var podAccount = podObject.Obj("spec").StrOrEmpty("serviceAccountName");
                if (podAccount != account)
                {
                    throw ApiException.BadRequest($"cannot bind token for serviceaccount \"{account}\" to pod running with serviceaccount \"{podAccount}\"");
                }
                pod = found = Ref(podObject);
                // The node the pod runs on is recorded when it can be read (1.30's pod node info).
                if (podObject.Obj("spec").Str("nodeName") is { Length: > 0 } nodeName)
                {
                    node = await TryRefAsync(Nodes, null, nodeName, cancellationToken);
                }
                break;
            case ("", "Secret"):
                secret = found = Ref(await registry.GetAsync(Secrets, ns, boundName, cancellationToken));
                break;
            case ("", "Node"):
                node = found = Ref(await registry.GetAsync(Nodes, null, boundName, cancellationToken));
                break;
            default:
                throw ApiException.BadRequest($"cannot bind token to object of type {group}/{version}, Kind={kind}");
        }
        if (wantedUid.Length > 0 && wantedUid != found.Uid)
        {
            throw ApiException.Conflict(group, kind, boundName,
                $"the UID in the bound object reference ({wantedUid}) does not match the UID in record. The object might have been deleted and then recreated");
        }
        return (pod, secret, node);
    }

    private async Task<ObjectRef?> TryRefAsync(ResourceType type, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return Ref(await registry.GetAsync(type, ns, name, cancellationToken));
        }
        catch (ApiException e) when (e.Code == StatusCodes.Status404NotFound)
        {
            return null;
        }
    }

    private static ObjectRef Ref(JsonObject obj) => new(ObjectMeta.Name(obj) ?? "", ObjectMeta.Uid(obj) ?? "");

    private static void CheckMatches(string given, string expected, string field, string detail)
    {
        if (given.Length > 0 && given != expected)
        {
            throw ApiException.Invalid("authentication.k8s.io", "TokenRequest", expected,
                FieldError.Invalid(FieldPath.Of("metadata", field), BadValue.Of(given), detail));
        }
    }

    private static ApiException Undecodable(string field, string goType) =>
        ApiException.BadRequest($"TokenRequest in version \"v1\" cannot be handled as a TokenRequest: json: cannot unmarshal into Go struct field TokenRequest.{field} of type {goType}");
}
