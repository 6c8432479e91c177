using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Webhooks;

/// <summary>
/// The API server's HTTPS client for webhooks (admission webhooks, CRD conversion webhooks),
/// upstream's apiserver pkg/util/webhook ClientManager: a POST of a JSON body to a
/// <see cref="WebhookTarget"/>, trusting only the target's caBundle (the system's roots when it
/// has none), reaching a Service through <see cref="IServiceResolver"/> while checking the
/// certificate against the Service's DNS name, within a timeout that is also sent as the
/// <c>?timeout=</c> query as client-go does. One connection pool per caBundle; thread-safe.
/// </summary>
public sealed class WebhookClient : IDisposable
{
    /// <summary>The largest answer read (upstream's webhook client reads at most this much too).</summary>
    public const int MaxResponseBytes = 3 * 1024 * 1024;

    private static readonly HttpRequestOptionsKey<(string Host, int Port)> ResolvedEndpoint = new("mkube.webhook.endpoint");
    private const int MaxPools = 64;

    private readonly IServiceResolver? _resolver;
    private readonly ConcurrentDictionary<string, TrustPool> _pools = new(StringComparer.Ordinal);

    /// <param name="resolver">Resolves service targets; null: only url targets can be called.</param>
    public WebhookClient(IServiceResolver? resolver) => _resolver = resolver;

    /// <summary>
    /// POSTs <paramref name="body"/> and returns the JSON object answered with a 2xx status.
    /// </summary>
    /// <exception cref="WebhookCallException">Anything that kept a JSON answer from coming back in time.</exception>
    public async Task<JsonObject> PostAsync(WebhookTarget target, JsonObject body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(body);
        var url = WithTimeout(target.Url, timeout);
        var shown = $"Post {GoQuote(url.OriginalString)}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var pool = Pool(target.CaBundle);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            if (target.Service is { } service)
            {
                if (_resolver is null)
                {
                    throw new WebhookCallException($"{shown}: no service resolver for service {service.Namespace}/{service.Name}");
                }
                request.Options.Set(ResolvedEndpoint, await _resolver.ResolveAsync(service, deadline.Token));
            }
            using var response = await pool.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var bytes = await ReadBoundedAsync(response.Content, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookCallException(shown + ": " + ErrorStatus(response.StatusCode, bytes));
            }
            try
            {
                return JsonNode.Parse(bytes) as JsonObject
                    ?? throw new WebhookCallException("the webhook answered with JSON that is not an object");
            }
            catch (JsonException e)
            {
                throw new WebhookCallException("couldn't get version/kind; json parse error: " + e.Message, e);
            }
        }
        catch (ServiceResolutionException e)
        {
            throw new WebhookCallException($"{shown}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookCallException($"{shown}: context deadline exceeded", e) { TimedOut = true };
        }
        catch (HttpRequestException e)
        {
            throw new WebhookCallException($"{shown}: {Describe(e, request, pool)}", e);
        }
    }

    public void Dispose()
    {
        foreach (var pool in _pools.Values)
        {
            pool.Client.Dispose();
        }
        _pools.Clear();
    }

    /// <summary>client-go sends the time left as ?timeout=, rounded up to whole seconds (Go duration syntax).</summary>
    private static Uri WithTimeout(Uri url, TimeSpan timeout)
    {
        // Validated URLs carry no query; the original spelling (an explicit :443) stays as upstream shows it.
        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        return new Uri(url.OriginalString + "?timeout=" + GoDuration(seconds), UriKind.Absolute);
    }

    private static string GoDuration(long seconds) => seconds switch
    {
        < 60 => $"{seconds.ToString(CultureInfo.InvariantCulture)}s",
        _ => $"{(seconds / 60).ToString(CultureInfo.InvariantCulture)}m{(seconds % 60).ToString(CultureInfo.InvariantCulture)}s",
    };

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new WebhookCallException($"the webhook's answer exceeds {MaxResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    // client-go's rest client on an error status: the Status the server sent, else a generic response error.
    private static string ErrorStatus(HttpStatusCode code, byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject { } status && (string?)status["kind"] == "Status" && status["message"] is JsonValue message)
            {
                return message.ToString();
            }
        }
        catch (JsonException)
        {
            // Not a Status: described below.
        }
        var text = Encoding.UTF8.GetString(body).Trim();
        var number = ((int)code).ToString(CultureInfo.InvariantCulture);
        return text.Length == 0
            ? $"the server responded with the status code {number} but did not return more information"
            : $"an error on the server ({GoQuote(text)}) has prevented the request from succeeding";
    }

    // Go's net/http and crypto/tls wording for what went wrong on the way.
    private static string Describe(HttpRequestException error, HttpRequestMessage request, TrustPool pool)
    {
        var address = request.Options.TryGetValue(ResolvedEndpoint, out var endpoint)
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
                    return "tls: failed to verify certificate: " + (pool.LastFailure ?? "x509: certificate signed by unknown authority");
            }
        }
        return error.Message;
    }

    private static string Join(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static string GoQuote(string text) => GoSyntax.Quote(text);

    private TrustPool Pool(byte[]? caBundle)
    {
        var key = caBundle is { Length: > 0 } ? Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(caBundle)) : "";
        if (_pools.TryGetValue(key, out var pool))
        {
            return pool;
        }
        if (_pools.Count >= MaxPools)
        {
            // Bundles come and go with configurations; an old pool's connections just close.
            foreach (var stale in _pools.Keys.Take(_pools.Count / 2))
            {
                if (_pools.TryRemove(stale, out var removed))
                {
                    removed.Client.Dispose();
                }
            }
        }
        var created = new TrustPool(caBundle);
        if (_pools.TryAdd(key, created))
        {
            return created;
        }
        created.Client.Dispose();
        return _pools[key];
    }

    /// <summary>An HttpClient whose TLS trusts one caBundle, connecting to resolved Service endpoints when a request carries one.</summary>
    private sealed class TrustPool
    {
        private readonly X509Certificate2Collection? _roots;

        public TrustPool(byte[]? caBundle)
        {
            if (caBundle is { Length: > 0 })
            {
                _roots = [];
                _roots.ImportFromPem(Encoding.ASCII.GetString(caBundle));
            }
            var handler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = ConnectAsync,
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = Validate },
            };
            Client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        }

        public HttpClient Client { get; }

        /// <summary>Why the last certificate was refused, in Go's words (shared by concurrent calls: a best-effort detail).</summary>
        public volatile string? LastFailure;

        private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
        {
            var (host, port) = context.InitialRequestMessage.Options.TryGetValue(ResolvedEndpoint, out var resolved)
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

        private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
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
}
