using System.Globalization;

using System.Net.Security;

namespace MiniKube.Addons.Metrics;

/// <summary>
/// GETs a kubelet's /metrics/resource over HTTPS with the add-on's client certificate, at the
/// node's InternalIP (then ExternalIP, then Hostname: metrics-server's default
/// --kubelet-preferred-address-types) and status.daemonEndpoints.kubeletEndpoint.Port. The
/// kubelet's serving certificate is not verified, as with metrics-server's --kubelet-insecure-tls
/// (what k3s' bundled metrics-server relies on too): kubelets here serve self-signed certificates.
/// </summary>
internal sealed class KubeletMetricsClient : IDisposable
{
    private static readonly string[] AddressTypes = ["InternalIP", "ExternalIP", "Hostname"];

    private readonly HttpClient _http;

    public KubeletMetricsClient(MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [options.ClientCertificate],
#pragma warning disable CA5359 // --kubelet-insecure-tls: kubelet serving certificates are self-signed
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
            // Kept open between scrapes of the same kubelet, closed once a node stops answering.
            PooledConnectionIdleTimeout = options.Resolution * 2,
        };
        _http = new HttpClient(handler) { Timeout = options.KubeletTimeout };
    }

    /// <summary>The kubelet's URL for <paramref name="node"/>, or null when its status has no address yet.</summary>
    public static Uri? MetricsUri(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var addresses = node.Status?.Addresses ?? [];
        var address = AddressTypes.Select(type => addresses.FirstOrDefault(a => a.Type == type)?.Address).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        if (address is null)
        {
            return null;
        }
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port is > 0 and var p ? p : 10250;
        var host = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address;
        return new Uri($"https://{host}:{port.ToString(CultureInfo.InvariantCulture)}/metrics/resource");
    }

    /// <summary>The body of a successful GET; throws <see cref="HttpRequestException"/> for a refusal or a failed connection.</summary>
    public async Task<string> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}", null, response.StatusCode);
        }
        return body;
    }

    public void Dispose() => _http.Dispose();
}
