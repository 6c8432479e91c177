using System.Security.Cryptography;
using MiniKube.ApiServer.Errors;
using MiniKube.ApiServer.Objects;
using MiniKube.ApiServer.Registry;
using MiniKube.ApiServer.Resources;

namespace MiniKube.ApiServer.AdmissionPlugins;

/// <summary>
/// kube-apiserver's ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go
/// of v1.32). On a pod's create it needs the pod's service account (spec.serviceAccountName,
/// "default" when empty) to exist — a missing one is a 403 <c>error looking up service account
/// ns/name: serviceaccount "name" not found</c>, after retrying for about a second and a half for
/// "default", which the service-account controller is about to make in a new namespace — copies
/// the account's imagePullSecrets when the pod names none, and, unless automountServiceAccountToken
/// is false on the pod (which wins) or else on the account, adds the projected
/// <c>kube-api-access-&lt;5 chars&gt;</c> volume (a 3607 s token, kube-root-ca.crt's ca.crt and the
/// namespace) mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every
/// container and init container that has nothing mounted there. Mirror pods (the kubelet's
/// static pods) are left alone. Other operations pass.
/// </summary>
public sealed class ServiceAccountAdmission(CachedReads reads) : IAdmissionPlugin
{
    /// <summary>Where the token, ca.crt and namespace appear in containers (DefaultAPITokenMountPath).</summary>
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The token volume's name prefix (ServiceAccountVolumeName).</summary>
    public const string VolumePrefix = "kube-api-access-";

    private const string DefaultAccount = "default";
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    // apimachinery's utilrand alphabet: no vowels (no words) and no confusable characters.
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    private static readonly ResourceType ServiceAccounts = ResourceCatalog.Find("", "v1", "serviceaccounts")!;

    // What each version of an account gives its pods, read once rather than on every pod create.
    private static readonly StoredFacts<AccountDefaults> Accounts = new(account => new AccountDefaults(
        account.Bool("automountServiceAccountToken"),
        account.Arr("imagePullSecrets") is { Count: > 0 } secrets ? [.. secrets.OfType<JsonObject>().Select(s => s.StrOrEmpty("name"))] : null));

    public string Name => "ServiceAccount";

    /// <summary>How long to wait between looks for a "default" account not there yet (upstream: 100–200 ms, ten looks).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(100 + RandomNumberGenerator.GetInt32(100));

    public async Task AdmitAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Operation != AdmissionOperation.Create || request.Subresource is not null || request.Type.Group.Length > 0 || request.Type.Name != "pods")
        {
            return;
        }
        var pod = request.Object;
        if (ObjectCodec.Metadata(pod).Obj("annotations")?.ContainsKey(MirrorAnnotation) == true)
        {
            return;
        }
        var spec = pod.Ensure("spec");
        spec.DefaultString("serviceAccountName", DefaultAccount);
        var accountName = spec.StrOrEmpty("serviceAccountName");
        var ns = request.Namespace ?? "";
        var account = await FindAccountAsync(ns, accountName, cancellationToken)
            ?? throw ApiException.Forbidden(request.Type, request.Name, $"error looking up service account {ns}/{accountName}: serviceaccount \"{accountName}\" not found");
        if ((spec.Bool("automountServiceAccountToken") ?? account.Automount ?? true))
        {
            MountToken(spec);
        }
        if (spec.Arr("imagePullSecrets") is not { Count: > 0 } && account.PullSecrets is { } pullSecrets)
        {
            spec["imagePullSecrets"] = new JsonArray([.. pullSecrets.Select(name => (JsonNode)new JsonObject { ["name"] = name })]);
        }
    }

    private async Task<AccountDefaults?> FindAccountAsync(string ns, string name, CancellationToken cancellationToken)
    {
        var attempts = name == DefaultAccount ? 10 : 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(RetryInterval, cancellationToken);
            }
            if (await reads.GetAsync(ServiceAccounts, ns, name, cancellationToken) is { } kv)
            {
                return Accounts.Of(kv);
            }
        }
        return null;
    }

    // mountServiceAccountToken: reuse a kube-api-access-* volume the pod already has, mount it in
    // every container without a mount at the path, and add the volume only if some container got it.
    private static void MountToken(JsonObject spec)
    {
        var volumes = spec["volumes"] as JsonArray ?? [];
        var existing = volumes.OfType<JsonObject>().Select(v => v.StrOrEmpty("name")).FirstOrDefault(n => n.StartsWith(VolumePrefix, StringComparison.Ordinal));
        var volumeName = existing ?? VolumePrefix + RandomSuffix();
        var needed = false;
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var (_, container) in spec.Items(list))
            {
                var mounts = container["volumeMounts"] as JsonArray ?? [];
                if (mounts.OfType<JsonObject>().Any(m => m.StrOrEmpty("mountPath") == MountPath))
                {
                    continue;
                }
                mounts.Add(new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
                container["volumeMounts"] = mounts;
                needed = true;
            }
        }
        if (existing is null && needed)
        {
            volumes.Add(new JsonObject { ["name"] = volumeName, ["projected"] = TokenVolumeSource() });
            spec["volumes"] = volumes;
        }
    }

    /// <summary>The projected source of the token volume (TokenVolumeSource), in its defaulted form.</summary>
    public static JsonObject TokenVolumeSource() => new()
    {
        ["sources"] = new JsonArray(
            new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
            new JsonObject
            {
                ["configMap"] = new JsonObject
                {
                    ["name"] = "kube-root-ca.crt",
                    ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                },
            },
            new JsonObject
            {
                ["downwardAPI"] = new JsonObject
                {
                    ["items"] = new JsonArray(new JsonObject
                    {
                        ["path"] = "namespace",
                        ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                    }),
                },
            }),
        ["defaultMode"] = 420,
    };

    // A volume's name needs no secrecy: upstream's utilrand draws it from math/rand. The
    // cryptographic generator, asked once per character, showed in profiles of pod creates.
    private static string RandomSuffix() => new(Random.Shared.GetItems(NameAlphabet.AsSpan(), 5));
}

/// <summary>What a service account sets on its pods: whether its token is mounted and its image pull secrets (each null when it says nothing).</summary>
internal sealed record AccountDefaults(bool? Automount, IReadOnlyList<string>? PullSecrets);
