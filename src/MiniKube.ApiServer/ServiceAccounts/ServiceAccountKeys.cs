using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MiniKube.ApiServer.Encryption;
using MiniKube.Storage;

namespace MiniKube.ApiServer.ServiceAccounts;

/// <summary>
/// The service-account signing key and the keys tokens are verified with. The first key signs;
/// every key verifies (so a rotated-out key's tokens stay valid while it is listed). Key ids are
/// upstream's keyIDFromPublicKey: base64url(SHA-256(DER SubjectPublicKeyInfo)), so a kid here
/// names the same key as kube-apiserver would. Instances are immutable and shared by all requests.
/// </summary>
public sealed class ServiceAccountKeys : IDisposable
{
    /// <summary>
    /// Where the key set lives in the store, outside /registry so no API path reaches it: every
    /// API server over one store signs and verifies with the same keys, as k3s shares service.key
    /// through its datastore's bootstrap data.
    /// </summary>
    public const string StoreKey = "/mkube/bootstrap/service-account-keys";

    private readonly RSA[] _keys;
    private readonly string[] _ids;

    private ServiceAccountKeys(RSA[] keys)
    {
        _keys = keys;
        _ids = keys.Select(KeyId).ToArray();
    }

    /// <summary>The private key new tokens are signed with.</summary>
    public RSA Signing => _keys[0];

    /// <summary>The signing key's id (the tokens' header kid).</summary>
    public string SigningKeyId => _ids[0];

    /// <summary>Every verification key with its id, signing key first.</summary>
    public IEnumerable<(string Id, RSA Key)> Verifying => _ids.Zip(_keys);

    /// <summary>A key set from a signing key and further verification keys (public or private).</summary>
    public static ServiceAccountKeys From(RSA signing, params RSA[] others) => new([signing, .. others]);

    /// <summary>A fresh 2048-bit RSA key set, as k3s generates service.key.</summary>
    public static ServiceAccountKeys Generate() => new([RSA.Create(2048)]);

    /// <summary>The keys that may have signed a token whose header names <paramref name="keyId"/> ("" = any).</summary>
    public IEnumerable<RSA> For(string keyId)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            if (keyId.Length == 0 || _ids[i] == keyId)
            {
                yield return _keys[i];
            }
        }
    }

    /// <summary>
    /// The cluster's key set: the one in the store when a server already put it there; else the
    /// key in <paramref name="keyFile"/> (made when missing), then put into the store. When two
    /// servers start at once the store's create-if-absent picks one and both use it. The file
    /// (mode 0600) is rewritten to the store's key, so the data dir always holds what signs. With
    /// <paramref name="sealingSecret"/> the store holds the set sealed with it (<see cref="TokenSealing"/>);
    /// a set stored plain by an earlier version is sealed in place.
    /// </summary>
    public static async Task<ServiceAccountKeys> LoadOrCreateAsync(IStore store, string? keyFile, string? sealingSecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = await store.GetAsync(StoreKey, 0, cancellationToken);
        if (stored is null)
        {
            var pem = keyFile is not null && File.Exists(keyFile) ? await File.ReadAllTextAsync(keyFile, cancellationToken) : Generate().ExportPem();
            var value = Stored(pem, sealingSecret);
            var created = await store.CreateAsync(StoreKey, value, 0, cancellationToken);
            stored = created.Succeeded ? new KeyValue(StoreKey, value, created.Revision, created.Revision, 1, 0) : created.Current!;
        }
        string text;
        if (TokenSealing.IsSealed(stored.Value))
        {
            var plaintext = TokenSealing.Open(stored.Value, sealingSecret ?? throw new InvalidDataException("the service-account keys in the datastore are sealed with a token: start this server with the same --token"), "the service-account keys");
            text = Encoding.UTF8.GetString(plaintext);
            CryptographicOperations.ZeroMemory(plaintext);
        }
        else
        {
            text = Encoding.UTF8.GetString(stored.Value);
            if (sealingSecret is not null)
            {
                // Sealed in place; when another server did it first, its copy holds the same key.
                await store.UpdateAsync(StoreKey, Stored(text, sealingSecret), stored.ModRevision, 0, cancellationToken);
            }
        }
        if (keyFile is not null && (!File.Exists(keyFile) || await File.ReadAllTextAsync(keyFile, cancellationToken) != text))
        {
            WriteOwnerOnly(keyFile, text);
        }
        return FromPem(text);
    }

    private static byte[] Stored(string pem, string? sealingSecret) =>
        sealingSecret is null ? Encoding.UTF8.GetBytes(pem) : TokenSealing.Seal(Encoding.UTF8.GetBytes(pem), sealingSecret);

    /// <summary>
    /// Reads keys from PEM text: the first private key signs; further private or public keys
    /// (<c>PUBLIC KEY</c>, <c>RSA PUBLIC KEY</c>) only verify.
    /// </summary>
    public static ServiceAccountKeys FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var keys = new List<RSA>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var key = RSA.Create();
            key.ImportFromPem(rest[fields.Location]);
            keys.Add(key);
            rest = rest[fields.Location.End.Value..];
        }
        var signing = keys.FindIndex(IsPrivate);
        if (signing < 0)
        {
            throw new InvalidDataException("the service-account key set holds no private key to sign with");
        }
        (keys[0], keys[signing]) = (keys[signing], keys[0]);
        return new ServiceAccountKeys([.. keys]);
    }

    /// <summary>The key set as PEM: the signing key (PKCS#8), then the other keys' public parts.</summary>
    public string ExportPem()
    {
        var text = new StringBuilder(_keys[0].ExportPkcs8PrivateKeyPem()).Append('\n');
        foreach (var key in _keys.Skip(1))
        {
            text.Append(key.ExportSubjectPublicKeyInfoPem()).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>upstream's keyIDFromPublicKey.</summary>
    public static string KeyId(RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private static bool IsPrivate(RSA key)
    {
        try
        {
            key.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, text);
    }
}
