using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace MiniKube.ApiServer.Webhooks;

/// <summary>
/// The HTTPS connection pool the API server calls a server behind a Service with (admission and
/// conversion webhooks, extension API servers): TLS that trusts only a caBundle (the system's
/// roots when there is none, nothing at all when insecure), an optional client certificate, and
/// a connection to the endpoint a request names in <see cref="Endpoint"/> while the certificate
/// is checked against the URL's host (a Service's <c>name.namespace.svc</c>), as upstream's
/// webhook ClientManager and the aggregator's proxy transport do. Thread-safe; one per trust.
/// </summary>
public sealed class ServiceTransport : IDisposable
{
    /// <summary>Where to connect instead of the URL's host: a resolved Service endpoint.</summary>
    public static readonly HttpRequestOptionsKey<(string Host, int Port)> Endpoint = new("mkube.service.endpoint");

    private readonly X509Certificate2Collection? _roots;
    private readonly bool _insecure;
    private readonly X509Certificate2? _clientCertificate;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageHandler _outer;

    /// <param name="caBundle">PEM certificates that are the only trust roots; null or empty: the system's roots.</param>
    /// <param name="insecure">Accept any server certificate (insecureSkipTLSVerify).</param>
    /// <param name="clientCertificate">Presented when the server asks for one (the front-proxy client certificate).</param>
    /// <param name="repeatHeaderLines">
    /// Send each value of an X-Remote-* header on a line of its own (<see cref="RepeatedHeaders"/>):
    /// HTTP/1.1, one request per connection, TLS below the HTTP client.
    /// </param>
    public ServiceTransport(byte[]? caBundle, bool insecure = false, X509Certificate2? clientCertificate = null, bool repeatHeaderLines = false)
    {
        _clientCertificate = clientCertificate;
        if (caBundle is { Length: > 0 })
        {
            _roots = [];
            _roots.ImportFromPem(Encoding.ASCII.GetString(caBundle));
        }
        _insecure = insecure;
        var ssl = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate };
        if (clientCertificate is not null)
        {
            ssl.ClientCertificates = [clientCertificate];
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        _handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            ConnectCallback = repeatHeaderLines ? ConnectTlsAsync : ConnectAsync,
            SslOptions = ssl,
        };
        _outer = repeatHeaderLines ? new RepeatedHeaders(_handler) : _handler;
        Client = new HttpClient(_outer, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        Invoker = new HttpMessageInvoker(_outer, disposeHandler: false);
    }

    /// <summary>For calls that read whole answers (webhooks, discovery).</summary>
    public HttpClient Client { get; }

    /// <summary>For streaming (the proxy): no buffering and no timeout of its own, as a reverse proxy needs.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>Why the last certificate was refused, in Go's words (shared by concurrent calls: a best-effort detail).</summary>
    public string? LastFailure { get; private set; }

    /// <summary>
    /// What went wrong on the way, worded as Go's net/http and crypto/tls errors are, e.g.
    /// <c>dial tcp 10.0.0.1:443: connect: connection refused</c>.
    /// </summary>
    public string Describe(HttpRequestException error, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(request);
        var address = request.Options.TryGetValue(Endpoint, out var endpoint)
            ? Join(endpoint.Host, endpoint.Port)
            : Join(request.RequestUri!.Host, request.RequestUri.Port);
        for (Exception? inner = error; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return $"dial tcp {address}: connect: connection refused";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData }:
                    return $"dial tcp: lookup {request.RequestUri!.Host}: no such host";
                case SocketException socket:
                    return $"dial tcp {address}: {socket.Message}";
                case AuthenticationException:
                    return "tls: failed to verify certificate: " + (LastFailure ?? "x509: certificate signed by unknown authority");
            }
        }
        return error.Message;
    }

    public void Dispose()
    {
        Client.Dispose();
        Invoker.Dispose();
        if (!ReferenceEquals(_outer, _handler))
        {
            _outer.Dispose();
        }
        _handler.Dispose();
    }

    private static string Join(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (host, port) = context.InitialRequestMessage.Options.TryGetValue(Endpoint, out var resolved)
            ? resolved
            : (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // TLS below the HTTP client, for RepeatedHeaders: the handler speaks plain HTTP/1.1 into the rewriter.
    private async ValueTask<Stream> ConnectTlsAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var network = await ConnectAsync(context, cancellationToken);
        var tls = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            var options = new SslClientAuthenticationOptions
            {
                TargetHost = context.DnsEndPoint.Host,
                RemoteCertificateValidationCallback = Validate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            };
            if (_clientCertificate is not null)
            {
                options.ClientCertificates = [_clientCertificate];
                options.LocalCertificateSelectionCallback = (_, _, _, _, _) => _clientCertificate;
            }
            await tls.AuthenticateAsClientAsync(options, cancellationToken);
            return new RepeatedHeaders.HeadRewriter(tls);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_insecure)
        {
            return true;
        }
        if (certificate is null)
        {
            LastFailure = "remote error: tls: no certificate";
            return false;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            var host = (sender as SslStream)?.TargetHostName ?? "";
            LastFailure = NameMismatch(certificate, host);
            return false;
        }
        if (_roots is null)
        {
            if (errors != SslPolicyErrors.None)
            {
                LastFailure = "x509: certificate signed by unknown authority";
            }
            return errors == SslPolicyErrors.None;
        }
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (custom.Build(leaf))
        {
            return true;
        }
        LastFailure = "x509: certificate signed by unknown authority";
        return false;
    }

    private static string NameMismatch(X509Certificate certificate, string host)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san is null
            ? []
            : san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToList();
        return names.Count == 0
            ? "x509: certificate relies on legacy Common Name field, use SANs instead"
            : $"x509: certificate is valid for {string.Join(", ", names)}, not {host}";
    }
}

/// <summary>
/// <see cref="ServiceTransport"/>s by trust (caBundle and insecure), made on first use and shared:
/// one connection pool per caBundle. Bundles come and go with configurations, so past
/// <see cref="MaxPools"/> half are closed. Thread-safe.
/// </summary>
public sealed class ServiceTransports(X509Certificate2? clientCertificate = null, bool repeatHeaderLines = false) : IDisposable
{
    private const int MaxPools = 64;

    private readonly ConcurrentDictionary<string, ServiceTransport> _pools = new(StringComparer.Ordinal);

    public ServiceTransport For(byte[]? caBundle, bool insecure = false)
    {
        var key = (insecure ? "insecure:" : "") + (caBundle is { Length: > 0 } ? Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(caBundle)) : "");
        if (_pools.TryGetValue(key, out var pool))
        {
            return pool;
        }
        if (_pools.Count >= MaxPools)
        {
            // An old pool's connections just close; a caller still holding it finishes its call first.
            foreach (var stale in _pools.Keys.Take(_pools.Count / 2))
            {
                if (_pools.TryRemove(stale, out var removed))
                {
                    _ = DisposeLaterAsync(removed);
                }
            }
        }
        var created = new ServiceTransport(caBundle, insecure, clientCertificate, repeatHeaderLines);
        if (_pools.TryAdd(key, created))
        {
            return created;
        }
        created.Dispose();
        return _pools[key];
    }

    public void Dispose()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Dispose();
        }
        _pools.Clear();
    }

    private static async Task DisposeLaterAsync(ServiceTransport transport)
    {
        await Task.Delay(TimeSpan.FromMinutes(2), CancellationToken.None);
        transport.Dispose();
    }
}
