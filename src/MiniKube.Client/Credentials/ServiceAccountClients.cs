using k8s;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.Credentials;

/// <summary>
/// One API client per kube-system service account, each authenticated with its own
/// <see cref="ServiceAccountTokenSource"/> (controller-manager clientbuilder
/// DynamicControllerClientBuilder): the server and CA come from <paramref name="skeleton"/>
/// (no credentials of its own), the tokens are requested by <paramref name="requester"/>. A
/// controller given such a client can do what its role allows and nothing more; a 401 makes
/// its next request ask for a new token. All the clients send through one connection pool (HTTP/2
/// multiplexes their requests and watches over one connection): a bearer token is set per request,
/// so an identity needs no transport of its own, as client-go's transport cache shares one
/// http.Transport between the controllers' token-wrapped clients. The clients live as long as this object.
/// </summary>
public sealed class ServiceAccountClients(IKubernetes requester, KubernetesClientConfiguration skeleton, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    /// <summary>Where the controllers' accounts live: a namespace ordinary users cannot read.</summary>
    public const string Namespace = "kube-system";

    private readonly Dictionary<string, (Kubernetes Client, ServiceAccountTokenSource Tokens)> _clients = new(StringComparer.Ordinal);

    private readonly HttpMessageInvoker _transport = new(Transport(skeleton), disposeHandler: true);

    /// <summary>The client of service account kube-system/<paramref name="serviceAccount"/>, made once.</summary>
    public IKubernetes For(string serviceAccount)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceAccount);
        lock (_clients)
        {
            if (!_clients.TryGetValue(serviceAccount, out var entry))
            {
                var tokens = new ServiceAccountTokenSource(requester, Namespace, serviceAccount, time, loggers.CreateLogger<ServiceAccountTokenSource>());
                var config = new KubernetesClientConfiguration
                {
                    Host = skeleton.Host,
                    SslCaCerts = skeleton.SslCaCerts,
                    SkipTlsVerify = skeleton.SkipTlsVerify,
                    TlsServerName = skeleton.TlsServerName,
                    TokenProvider = tokens,
                };
                entry = (new Kubernetes(config, new ResetOnUnauthorized(tokens), new SharedTransport(_transport)), tokens);
                _clients[serviceAccount] = entry;
            }
            return entry.Client;
        }
    }

    /// <summary>A 401 means the kept token no longer counts: the next request asks for a new one (transport.ResettableTokenSourceWrapTransport).</summary>
    private sealed class ResetOnUnauthorized(ServiceAccountTokenSource tokens) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                tokens.Reset();
            }
            return response;
        }
    }

    // The transport KubernetesClient builds for a client (Kubernetes.ConfigInit.cs), once: the
    // same keep-alive pings and the same trust in the server (the configuration's CA, or none
    // with SkipTlsVerify). No client certificate: the accounts authenticate by token.
    private static SocketsHttpHandler Transport(KubernetesClientConfiguration skeleton)
    {
        ArgumentNullException.ThrowIfNull(skeleton);
        var handler = new SocketsHttpHandler
        {
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            // Every controller's watches share the pool: past the server's streams per connection, open another.
            EnableMultipleHttp2Connections = true,
        };
        var authorities = skeleton.SslCaCerts;
        if (skeleton.SkipTlsVerify)
        {
#pragma warning disable CA5359 // the configuration asks for it, as the library itself honours it
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (authorities is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                Kubernetes.CertificateValidationCallBack(sender, authorities, certificate, chain, errors);
        }
        return handler;
    }

    /// <summary>
    /// The end of a client's pipeline: it sends through the shared pool. The client's own
    /// handler behind it is never asked, so it opens no connection.
    /// </summary>
    private sealed class SharedTransport(HttpMessageInvoker transport) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            transport.SendAsync(request, cancellationToken);
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var (client, tokens) in _clients.Values)
            {
                client.Dispose();
                tokens.Dispose();
            }
            _clients.Clear();
        }
        _transport.Dispose();
    }
}
