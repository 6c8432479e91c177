using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using MiniKube.Storage.Etcd.Wire;

namespace MiniKube.Storage.Etcd;

/// <summary>
/// The store contract over a real etcd v3 cluster, through etcd's gRPC API: how users who
/// outgrow one server get high availability without us building consensus. Conditional writes
/// are etcd transactions comparing a key's create or mod revision, as kube-apiserver's own etcd3
/// storage does. Calls that cannot reach any endpoint are retried with back-off until
/// <see cref="EtcdStoreOptions.UnavailableAfter"/>, then fail with
/// <see cref="StoreUnavailableException"/>: never a hang.
/// </summary>
public sealed partial class EtcdStore : IStore
{
    private readonly EtcdStoreOptions _options;
    private readonly ILogger _logger;
    private readonly GrpcChannel[] _channels;
    private int _current;
    private volatile bool _disposed;

    private EtcdStore(EtcdStoreOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _channels = [.. options.Endpoints.Select(CreateChannel)];
    }

    /// <summary>Connects and checks that some endpoint answers.</summary>
    public static async Task<EtcdStore> ConnectAsync(EtcdStoreOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("no etcd endpoints given", nameof(options));
        }
        var store = new EtcdStore(options, logger);
        var revision = await store.GetCurrentRevisionAsync(cancellationToken);
        LogConnected(logger, options.Endpoints.Count, revision);
        return store;
    }

    public async Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync((kv, o) => kv.RangeAsync(new Wire.RangeRequest { Key = Bytes("/"), CountOnly = true }, o).ResponseAsync, 0, cancellationToken);
        return response.Header.Revision;
    }

    public async Task<KeyValue?> GetAsync(string key, long revision, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        var response = await CallAsync((kv, o) => kv.RangeAsync(new Wire.RangeRequest { Key = Bytes(key), Revision = revision }, o).ResponseAsync, revision, cancellationToken);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        // Continue strictly after the last key: the smallest key greater than it is key + "\0".
        var start = request.StartAfter is { } after && string.CompareOrdinal(after, request.Prefix) >= 0 ? after + "\0" : request.Prefix;
        var wire = new Wire.RangeRequest { Key = RangeStart(start), RangeEnd = PrefixEnd(request.Prefix), Limit = request.Limit, Revision = request.Revision };
        var response = await CallAsync((kv, o) => kv.RangeAsync(wire, o).ResponseAsync, request.Revision, cancellationToken);
        // A read at a past revision is at that revision; the header carries the current one.
        return new RangeResult([.. response.Kvs.Select(ToKeyValue)], request.Revision != 0 ? request.Revision : response.Header.Revision, response.More);
    }

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken)
    {
        var wire = new Wire.RangeRequest { Key = RangeStart(prefix), RangeEnd = PrefixEnd(prefix), CountOnly = true };
        return (await CallAsync((kv, o) => kv.RangeAsync(wire, o).ResponseAsync, 0, cancellationToken)).Count;
    }

    public async Task<WriteResult> CreateAsync(string key, byte[] value, long leaseId, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        StoreLimits.CheckValue(value);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value), Lease = leaseId } } },
            Failure = { new RequestOp { RequestRange = new Wire.RangeRequest { Key = Bytes(key) } } },
        };
        var response = await TxnAsync(txn, leaseId, cancellationToken);
        if (!response.Succeeded)
        {
            return new WriteResult(false, response.Header.Revision, FirstKv(response));
        }
        var revision = response.Header.Revision;
        return new WriteResult(true, revision, new KeyValue(key, value, revision, revision, 1, leaseId));
    }

    public async Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, long leaseId, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        StoreLimits.CheckValue(value);
        var txn = new TxnRequest
        {
            // etcd compares an absent key's mod_revision as 0: require that the key exists, too.
            Compare = { KeyExists(key), ModRevisionIs(key, expectedModRevision) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes(key), Value = ByteString.CopyFrom(value), Lease = leaseId, PrevKv = true } } },
            Failure = { new RequestOp { RequestRange = new Wire.RangeRequest { Key = Bytes(key) } } },
        };
        var response = await TxnAsync(txn, leaseId, cancellationToken);
        if (!response.Succeeded)
        {
            return new WriteResult(false, response.Header.Revision, FirstKv(response));
        }
        var previous = response.Responses[0].ResponsePut.PrevKv;
        var revision = response.Header.Revision;
        return new WriteResult(true, revision, new KeyValue(key, value, previous.CreateRevision, revision, previous.Version + 1, leaseId));
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken)
    {
        StoreLimits.CheckKey(key);
        var delete = new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes(key), PrevKv = true } };
        var txn = new TxnRequest
        {
            // Unconditional deletes still compare: "the key exists", so a miss reports the (absent) current value.
            Compare = { expectedModRevision == 0 ? KeyExists(key) : ModRevisionIs(key, expectedModRevision) },
            Success = { delete },
            Failure = { new RequestOp { RequestRange = new Wire.RangeRequest { Key = Bytes(key) } } },
        };
        var response = await TxnAsync(txn, 0, cancellationToken);
        if (!response.Succeeded)
        {
            return new WriteResult(false, response.Header.Revision, FirstKv(response));
        }
        var deleted = response.Responses[0].ResponseDeleteRange.PrevKvs;
        return new WriteResult(deleted.Count > 0, response.Header.Revision, deleted.Count > 0 ? ToKeyValue(deleted[0]) : null);
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var client = new Wire.Watch.WatchClient(_channels[Volatile.Read(ref _current)]);
        using var call = client.Watch(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = RangeStart(prefix), RangeEnd = PrefixEnd(prefix), StartRevision = fromRevision, PrevKv = true },
        }, cancellationToken);
        while (true)
        {
            WatchResponse response;
            try
            {
                if (!await call.ResponseStream.MoveNext(cancellationToken))
                {
                    throw new StoreUnavailableException("etcd ended the watch stream");
                }
                response = call.ResponseStream.Current;
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
            {
                throw Translate(e, fromRevision);
            }
            if (response.Canceled)
            {
                throw response.CompactRevision > 0
                    ? new CompactedException(fromRevision, response.CompactRevision)
                    : new StoreUnavailableException($"etcd cancelled the watch: {response.CancelReason}");
            }
            foreach (var ev in response.Events)
            {
                yield return ev.Type == Event.Types.EventType.Delete
                    ? new WatchEvent(WatchEventType.Delete, new KeyValue(ev.Kv.Key.ToStringUtf8(), [], 0, ev.Kv.ModRevision, 0, 0), ev.PrevKv is null ? null : ToKeyValue(ev.PrevKv))
                    : new WatchEvent(WatchEventType.Put, ToKeyValue(ev.Kv), ev.PrevKv is null ? null : ToKeyValue(ev.PrevKv));
            }
        }
    }

    public Task CompactAsync(long revision, CancellationToken cancellationToken) =>
        CallAsync((kv, o) => kv.CompactAsync(new CompactionRequest { Revision = revision }, o).ResponseAsync, revision, cancellationToken);

    public async Task<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        // etcd counts in whole seconds; round up so a lease never ends early.
        var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
        var response = await CallLeaseAsync((lease, o) => lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, o).ResponseAsync, 0, cancellationToken);
        if (!string.IsNullOrEmpty(response.Error))
        {
            throw new StoreUnavailableException($"etcd refused the lease: {response.Error}");
        }
        return response.ID;
    }

    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) =>
        CallLeaseAsync((lease, o) => lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, o).ResponseAsync, leaseId, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private Task<TxnResponse> TxnAsync(TxnRequest txn, long leaseId, CancellationToken cancellationToken) =>
        RetryAsync(channel => new KV.KVClient(channel).TxnAsync(txn, Options(cancellationToken)).ResponseAsync, leaseId, leaseId != 0, isWrite: true, cancellationToken);

    private Task<T> CallAsync<T>(Func<KV.KVClient, CallOptions, Task<T>> call, long context, CancellationToken cancellationToken) =>
        RetryAsync(channel => call(new KV.KVClient(channel), Options(cancellationToken)), context, false, isWrite: false, cancellationToken);

    private Task<T> CallLeaseAsync<T>(Func<Wire.Lease.LeaseClient, CallOptions, Task<T>> call, long leaseId, CancellationToken cancellationToken) =>
        RetryAsync(channel => call(new Wire.Lease.LeaseClient(channel), Options(cancellationToken)), leaseId, true, isWrite: true, cancellationToken);

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + _options.CallTimeout, cancellationToken: cancellationToken);

    /// <summary>
    /// Runs a call, moving to the next endpoint with exponential back-off (100 ms doubling to
    /// 2 s) while etcd cannot be reached, until <see cref="EtcdStoreOptions.UnavailableAfter"/>.
    /// Errors etcd answered with are translated at once, never retried. A write is retried only
    /// when it cannot have reached etcd (no connection: Unavailable); after a timeout its outcome
    /// is unknown, and retrying could report "exists" for the caller's own create.
    /// </summary>
    private async Task<T> RetryAsync<T>(Func<GrpcChannel, Task<T>> call, long context, bool isLeaseContext, bool isWrite, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var giveUp = DateTime.UtcNow + _options.UnavailableAfter;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var index = Volatile.Read(ref _current);
            try
            {
                return await call(_channels[index]);
            }
            catch (RpcException e) when (IsUnreachable(e) && !(isWrite && e.StatusCode == StatusCode.DeadlineExceeded) && !cancellationToken.IsCancellationRequested)
            {
                if (DateTime.UtcNow + delay > giveUp)
                {
                    throw new StoreUnavailableException($"etcd is unreachable at {string.Join(",", _options.Endpoints)}: {e.Status.Detail}", e);
                }
                LogRetrying(_logger, _options.Endpoints[index].ToString(), e.Status.Detail, delay.TotalMilliseconds);
                Interlocked.CompareExchange(ref _current, (index + 1) % _channels.Length, index);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
            catch (RpcException e)
            {
                throw isLeaseContext && e.StatusCode == StatusCode.NotFound ? new LeaseNotFoundException(context) : Translate(e, context);
            }
        }
    }

    private static bool IsUnreachable(RpcException e) =>
        e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    /// <summary>etcd's errors, by the messages its server sends (etcd-io/etcd api/v3rpc/rpctypes/error.go).</summary>
    private static Exception Translate(RpcException e, long revision) => e.Status.Detail switch
    {
        var d when d.Contains("required revision has been compacted", StringComparison.Ordinal) => new CompactedException(revision, 0),
        var d when d.Contains("required revision is a future revision", StringComparison.Ordinal) => new FutureRevisionException(revision, 0),
        var d when d.Contains("requested lease not found", StringComparison.Ordinal) => new LeaseNotFoundException(revision),
        _ when IsUnreachable(e) => new StoreUnavailableException($"etcd did not answer: {e.Status.Detail}", e),
        _ => new StoreUnavailableException($"etcd refused the request: {e.Status.StatusCode} {e.Status.Detail}", e),
    };

    private static Compare KeyExists(string key) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0 };

    private static Compare ModRevisionIs(string key, long modRevision) =>
        new() { Key = Bytes(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = modRevision };

    private static KeyValue? FirstKv(TxnResponse response) =>
        response.Responses.Count > 0 && response.Responses[0].ResponseRange is { Kvs.Count: > 0 } range ? ToKeyValue(range.Kvs[0]) : null;

    private static KeyValue ToKeyValue(Wire.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>etcd reads an empty key as "no key"; "\0" is the lowest key there is.</summary>
    private static ByteString RangeStart(string key) => key.Length == 0 ? ByteString.CopyFrom(0) : Bytes(key);

    /// <summary>The first key after every key with this prefix ("\0" = no end, for the empty prefix).</summary>
    private static ByteString PrefixEnd(string prefix)
    {
        var end = Encoding.UTF8.GetBytes(prefix);
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xFF)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom(0);
    }

    private GrpcChannel CreateChannel(Uri endpoint)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, KeepAlivePingDelay = TimeSpan.FromSeconds(30), KeepAlivePingTimeout = TimeSpan.FromSeconds(10) };
        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            if (_options.CaFile is { } caFile)
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(caFile);
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    certificate is not null && chain is not null && CustomTrust.Verifies(new X509Certificate2(certificate), roots);
            }
            if (_options.CertFile is { } certFile && _options.KeyFile is { } keyFile)
            {
                handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(certFile, keyFile)];
            }
        }
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 64 << 20 });
    }

    [LoggerMessage(EventId = LogEvents.Storage + 320, Level = LogLevel.Information, Message = "Connected to etcd ({Endpoints} endpoints, revision {Revision})")]
    private static partial void LogConnected(ILogger logger, int endpoints, long revision);

    [LoggerMessage(EventId = LogEvents.Storage + 321, Level = LogLevel.Warning, Message = "etcd at {Endpoint} is unreachable ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string endpoint, string reason, double delayMs);
}
