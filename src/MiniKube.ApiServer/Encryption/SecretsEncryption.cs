using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Encryption;

/// <summary>
/// Secrets encryption at rest for one server, k3s' secrets-encrypt: the EncryptionConfiguration
/// file (<c>cred/encryption-config.json</c>, 0600, made with one fresh key on the first start
/// with encryption on), the keyring the store seam (<see cref="EncryptingStore"/>) reads on every
/// call, the rotation stage (<c>cred/encryption-hash</c>: "stage-sha256 of the file", as k3s
/// keeps it), and the two operations of a running cluster: <see cref="RotateKeysAsync"/> puts a new
/// key first and <see cref="ReencryptAsync"/> rewrites every Secret with it, then drops the keys
/// nothing is sealed with any more. Key material never reaches a log or an answer.
/// </summary>
public sealed partial class SecretsEncryption : IDisposable
{
    private readonly string _configPath;
    private readonly string _hashPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // One rotation or reencrypt at a time: a reencrypt must finish under the keyring it started with.
    private readonly SemaphoreSlim _changing = new(1, 1);
    private volatile EncryptionKeyring _keyring;
    private volatile string _stage;
    // Set by ShareAsync: where the shared copy lives and the secret that seals it.
    private (IStore Store, string Secret)? _shared;

    private SecretsEncryption(string directory, EncryptionConfiguration configuration, string stage, TimeProvider time, ILogger logger)
    {
        _configPath = ConfigPath(directory);
        _hashPath = Path.Combine(directory, "encryption-hash");
        _keyring = new EncryptionKeyring(configuration);
        _stage = stage;
        _time = time;
        _logger = logger;
    }

    /// <summary>The configuration file in a server's credentials directory, as k3s names it.</summary>
    public static string ConfigPath(string directory) => Path.Combine(directory, "encryption-config.json");

    /// <summary>Whether new Secret writes are encrypted.</summary>
    public bool Enabled => _keyring.Configuration.Encrypts;

    /// <summary>The configuration in force now.</summary>
    public EncryptionConfiguration Configuration => _keyring.Configuration;

    internal EncryptionKeyring Keyring => _keyring;

    /// <summary>
    /// The encryption of a server whose credentials live in <paramref name="directory"/>
    /// (DATA_DIR/server/cred), or null when it was never turned on. With <paramref name="enable"/>
    /// a missing file is made with one key of <paramref name="provider"/>; an existing file keeps
    /// its keys (the provider flag matters only the first time) and gets identity moved last.
    /// Without it an existing file gets identity moved first: writes are plain again, and what
    /// was encrypted still reads.
    /// </summary>
    public static SecretsEncryption? LoadOrCreate(string directory, bool enable, string provider, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (!EncryptionProviders.Encrypting.Contains(provider))
        {
            throw new ArgumentException($"unknown secrets encryption provider \"{provider}\"", nameof(provider));
        }
        var path = ConfigPath(directory);
        if (!File.Exists(path))
        {
            if (!enable)
            {
                return null;
            }
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var created = new SecretsEncryption(directory, EncryptionConfiguration.Create(provider, provider + "key"), Stages.Start, time, logger);
            created.Save();
            created.LogCreated(provider, provider + "key", path);
            return created;
        }
        var stored = EncryptionConfiguration.Parse(File.ReadAllBytes(path));
        var configuration = stored.Providers.Any(p => p.Type != EncryptionProviders.Identity) ? stored.WithEncryption(enable) : stored;
        var encryption = new SecretsEncryption(directory, configuration, ReadStage(Path.Combine(directory, "encryption-hash")), time, logger);
        if (configuration.Encrypts != stored.Encrypts)
        {
            encryption.Save();
        }
        encryption.LogLoaded(configuration.Encrypts ? "enabled" : "disabled (existing encrypted Secrets stay readable)", path);
        return encryption;
    }

    /// <summary>The state <c>mkube secrets-encrypt status</c> prints.</summary>
    public EncryptionStatus Status()
    {
        var keyring = _keyring;
        var keys = keyring.Configuration.Keys.Select((k, i) => (k.Key.Name, EncryptionProviders.KeyType(k.Type), i == 0 && keyring.Configuration.Encrypts)).ToList();
        var running = Hash(keyring.Configuration.ToJson());
        string? hashError = null;
        if (!File.Exists(_configPath) || Hash(File.ReadAllBytes(_configPath)) != running)
        {
            hashError = $"hash does not match between {_configPath} and the running server; restart the server to load the file";
        }
        else if (File.Exists(_hashPath) && !File.ReadAllText(_hashPath).EndsWith("-" + running, StringComparison.Ordinal))
        {
            hashError = $"hash does not match between {_hashPath} and {_configPath}";
        }
        return new EncryptionStatus(keyring.Configuration.Encrypts, _stage, hashError is null, hashError, keys);
    }

    /// <summary>
    /// Joins the servers of one datastore (k3s shares its encryption configuration through the
    /// datastore): the first server with keys publishes them, sealed with a key derived from the
    /// token's <paramref name="tokenSecret"/>, under <c>/registry/mkube/secrets-encryption</c>;
    /// a server that finds a copy there adopts its keys (its own file is rewritten to match), so
    /// every server reads what any other wrote. Rotations and reencrypts publish their result too;
    /// other servers adopt it at their next start. <paramref name="rawStore"/> is the store below
    /// the seam.
    /// </summary>
    public async Task ShareAsync(IStore rawStore, string tokenSecret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rawStore);
        ArgumentException.ThrowIfNullOrEmpty(tokenSecret);
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var existing = await rawStore.GetAsync(SharedKeys.Key, 0, cancellationToken);
            _shared = (rawStore, tokenSecret);
            if (existing is null)
            {
                var created = await rawStore.CreateAsync(SharedKeys.Key, SharedKeys.Seal(_keyring.Configuration, tokenSecret), 0, cancellationToken);
                if (created.Succeeded)
                {
                    return;
                }
                existing = created.Current!;
            }
            var shared = SharedKeys.Open(existing.Value, tokenSecret);
            if (shared.ToJson().AsSpan().SequenceEqual(_keyring.Configuration.WithEncryption(shared.Encrypts).ToJson()))
            {
                return;
            }
            // Another server's keys win; this server's own on/off choice (identity first or last) stays.
            var hasKeys = shared.Providers.Any(p => p.Type != EncryptionProviders.Identity);
            _keyring = new EncryptionKeyring(hasKeys ? shared.WithEncryption(Enabled) : shared);
            Save();
            var count = _keyring.Configuration.Keys.Count();
            LogAdopted(count);
        }
        finally
        {
            _changing.Release();
        }
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 644, Level = LogLevel.Information, Message = "Secrets encryption: adopted the {Count} keys the other servers of this datastore share")]
    private partial void LogAdopted(int count);

    /// <summary>
    /// Adds a fresh key of the active provider and makes it the active one (k3s' rotate-keys
    /// appends and right-rotates); every older key still reads. Returns the new key's name.
    /// </summary>
    public async Task<string> RotateKeysAsync(CancellationToken cancellationToken)
    {
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var configuration = _keyring.Configuration;
            if (!configuration.Encrypts)
            {
                throw new InvalidOperationException("secrets encryption is disabled; start the server with --secrets-encryption");
            }
            var provider = configuration.Providers[0].Type;
            var name = NewKeyName(provider, configuration);
            _keyring = new EncryptionKeyring(configuration.WithActiveKey(EncryptionConfiguration.NewKey(name)));
            _stage = Stages.Rotate;
            Save();
            await PublishAsync(cancellationToken);
            LogRotated(name);
            return name;
        }
        finally
        {
            _changing.Release();
        }
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 642, Level = LogLevel.Information, Message = "Secrets encryption key {Key} added and active; run 'mkube secrets-encrypt reencrypt' to rewrite the Secrets with it")]
    private partial void LogRotated(string key);

    /// <summary>
    /// Rewrites every Secret not sealed with the active key, each with a compare-and-swap on
    /// <paramref name="store"/> (the raw store, below the seam): a write that races it makes the
    /// swap fail, and the Secret is read again, so no concurrent change is lost. Passes repeat
    /// until one finds nothing to rewrite, then the keys no longer needed are dropped. Returns how
    /// many Secrets were rewritten.
    /// </summary>
    public async Task<int> ReencryptAsync(IStore store, CancellationToken cancellationToken)
    {
        const int MaxPasses = 3;
        ArgumentNullException.ThrowIfNull(store);
        await _changing.WaitAsync(cancellationToken);
        try
        {
            var keyring = _keyring;
            if (!keyring.Configuration.Encrypts)
            {
                throw new InvalidOperationException("secrets encryption is disabled; start the server with --secrets-encryption");
            }
            _stage = Stages.ReencryptActive;
            var total = 0;
            for (var pass = 0; pass < MaxPasses; pass++)
            {
                var rewritten = await ReencryptPassAsync(store, keyring, cancellationToken);
                total += rewritten;
                if (rewritten == 0)
                {
                    var active = keyring.Configuration.Keys.First().Key.Name;
                    _keyring = new EncryptionKeyring(keyring.Configuration.WithActiveKeyOnly());
                    _stage = Stages.ReencryptFinished;
                    Save();
                    await PublishAsync(cancellationToken);
                    LogReencrypted(total, active);
                    return total;
                }
            }
            throw new InvalidOperationException($"Secrets kept changing during {MaxPasses} reencrypt passes; the old keys were kept, run reencrypt again");
        }
        finally
        {
            _changing.Release();
        }
    }

    [LoggerMessage(EventId = LogEvents.ApiServer + 643, Level = LogLevel.Information, Message = "Reencrypted {Count} Secrets with key {Key}; older keys dropped")]
    private partial void LogReencrypted(int count, string key);

    private static async Task<int> ReencryptPassAsync(IStore store, EncryptionKeyring keyring, CancellationToken cancellationToken)
    {
        const int PageSize = 500;
        var rewritten = 0;
        string? after = null;
        RangeResult page;
        do
        {
            page = await store.RangeAsync(new RangeRequest(EncryptingStore.SecretsPrefix, PageSize, after), cancellationToken);
            foreach (var item in page.Items)
            {
                var current = item;
                while (current is not null && !keyring.IsCurrent(current.Value))
                {
                    var sealedValue = keyring.Write(keyring.Read(current.Value));
                    var result = await store.UpdateAsync(current.Key, sealedValue, current.ModRevision, current.Lease, cancellationToken);
                    if (result.Succeeded)
                    {
                        rewritten++;
                        break;
                    }
                    // Lost the swap: someone wrote the Secret (already with the active key) or deleted it.
                    current = result.Current;
                }
            }
            after = page.Items.Count > 0 ? page.Items[^1].Key : after;
        }
        while (page.More);
        return rewritten;
    }

    private string NewKeyName(string provider, EncryptionConfiguration configuration)
    {
        // k3s names rotated keys "<provider>key-<RFC 3339 time>"; a second rotation in the same second gets a suffix.
        var name = provider + "key-" + _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var taken = configuration.Keys.Select(k => k.Key.Name).ToHashSet(StringComparer.Ordinal);
        var candidate = name;
        for (var i = 2; taken.Contains(candidate); i++)
        {
            candidate = $"{name}-{i}";
        }
        return candidate;
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (_shared is { } shared)
        {
            await SharedKeys.PublishAsync(shared.Store, _keyring.Configuration, shared.Secret, cancellationToken);
        }
    }

    /// <summary>Writes the file (0600, replaced atomically) and the stage with its hash.</summary>
    private void Save()
    {
        var bytes = _keyring.Configuration.ToJson();
        WriteOwnerOnly(_configPath, bytes);
        WriteOwnerOnly(_hashPath, System.Text.Encoding.UTF8.GetBytes(_stage + "-" + Hash(bytes)));
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static string ReadStage(string hashPath)
    {
        if (!File.Exists(hashPath))
        {
            return Stages.Start;
        }
        var text = File.ReadAllText(hashPath);
        var dash = text.LastIndexOf('-');
        return dash > 0 ? text[..dash] : Stages.Start;
    }

    public void Dispose() => _changing.Dispose();

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [LoggerMessage(EventId = LogEvents.ApiServer + 640, Level = LogLevel.Information, Message = "Secrets encryption enabled: new {Provider} key {Key} written to {Path}")]
    private partial void LogCreated(string provider, string key, string path);

    [LoggerMessage(EventId = LogEvents.ApiServer + 641, Level = LogLevel.Information, Message = "Secrets encryption {State}: keys from {Path}")]
    private partial void LogLoaded(string state, string path);

    /// <summary>k3s' rotation stages (pkg/secretsencrypt/config.go) that status reports.</summary>
    public static class Stages
    {
        public const string Start = "start";
        public const string Rotate = "rotate";
        public const string ReencryptActive = "reencrypt_active";
        public const string ReencryptFinished = "reencrypt_finished";
    }
}
