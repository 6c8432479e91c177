using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Hosting;

/// <summary>
/// An HTTPS client for the server endpoints of a running mkube server (the role of k3s'
/// clientaccess.Info in its secrets-encrypt command): it trusts only the cluster CA found in the
/// server's data dir and authenticates with the admin client certificate kept there
/// (system:masters), or, when that is not readable, with the given token's secret as a bearer
/// token. A non-2xx answer becomes a <see cref="ServerEndpointException"/> with the Status message.
/// </summary>
internal sealed class ServerEndpointClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly X509Certificate2? _ca;
    private readonly X509Certificate2? _admin;

    public ServerEndpointClient(string dataDir, Uri server, string? token, TimeSpan timeout)
    {
        var tls = Path.Combine(dataDir, "server", "tls");
        var caPath = Path.Combine(tls, "server-ca.crt");
        _ca = File.Exists(caPath) ? X509CertificateLoader.LoadCertificateFromFile(caPath) : null;
        var adminCert = Path.Combine(tls, "client-admin.crt");
        var adminKey = Path.Combine(tls, "client-admin.key");
        if (File.Exists(adminCert) && File.Exists(adminKey))
        {
            // PEM keys are ephemeral on Linux; a PKCS#12 round trip makes them usable for TLS client authentication.
            using var pem = X509Certificate2.CreateFromPemFile(adminCert, adminKey);
            _admin = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        else if (token is null)
        {
            throw new ServerEndpointException($"no admin certificate in {tls} and no --token given: run this on a server, or pass its token");
        }
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = _admin is null ? null : new X509CertificateCollection { _admin },
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors),
            },
        };
        _http = new HttpClient(handler) { BaseAddress = server, Timeout = timeout };
        if (_admin is null && token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JoinToken.SecretOf(token));
        }
    }

    public async Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public async Task<JsonObject> PutAsync(string path, JsonObject body, CancellationToken cancellationToken) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json") }, cancellationToken);

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new ServerEndpointException($"cannot reach {_http.BaseAddress}: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ServerEndpointException($"{_http.BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s; see the server log");
            }
            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                JsonObject? body = null;
                try
                {
                    body = JsonNode.Parse(text) as JsonObject;
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not JSON: reported below with the status code.
                }
                if (!response.IsSuccessStatusCode)
                {
                    var message = (string?)body?["message"] ?? $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    throw new ServerEndpointException($"{message} (see the server log for details)");
                }
                return body ?? throw new ServerEndpointException($"{_http.BaseAddress} answered something that is not a JSON object");
            }
        }
    }

    private bool Trusted(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (_ca is null || certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }
        // The cluster CA is the only trust root; the address used may be 127.0.0.1, which the serving certificate carries.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
    }

    public void Dispose()
    {
        _http.Dispose();
        _ca?.Dispose();
        _admin?.Dispose();
    }
}

/// <summary>A server endpoint call that failed: one line for the user, exit 1.</summary>
internal sealed class ServerEndpointException(string message) : Exception(message);
