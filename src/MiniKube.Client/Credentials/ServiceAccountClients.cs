using k8s;
using Microsoft.Extensions.Logging;

namespace MiniKube.Client.Credentials;

/// <summary>
/// One API client per kube-system service account, each authenticated with its own
/// <see cref="ServiceAccountTokenSource"/> (controller-manager clientbuilder
/// DynamicControllerClientBuilder): the server and CA come from <paramref name="skeleton"/>
/// (no credentials of its own), the tokens are requested by <paramref name="requester"/>. A
/// controller given such a client can do what its role allows and nothing more; a 401 makes
/// its next request ask for a new token. The clients live as long as this object.
/// </summary>
public sealed class ServiceAccountClients(IKubernetes requester, KubernetesClientConfiguration skeleton, TimeProvider time, ILoggerFactory loggers) : IDisposable
{
    /// <summary>Where the controllers' accounts live: a namespace ordinary users cannot read.</summary>
    public const string Namespace = "kube-system";

    private readonly Dictionary<string, (Kubernetes Client, ServiceAccountTokenSource Tokens)> _clients = new(StringComparer.Ordinal);

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
                entry = (new Kubernetes(config, new ResetOnUnauthorized(tokens)), tokens);
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
    }
}
