using System.Text;
using k8s;
using k8s.Autorest;

namespace MiniKube.Client.Dynamic;

/// <summary>
/// Requests to any API path over the typed client's own HTTP client and credentials, for
/// resources KubernetesClient has no generated operations for (custom resources, groups added
/// later): client-go's rest client under the dynamic and metadata clients. Paths are relative
/// to the server ("api/v1/…", "apis/group/version/…"); a non-2xx answer throws
/// <see cref="HttpOperationException"/> with the response, so <see cref="ApiErrors"/> reads it
/// as it reads the typed client's errors.
/// </summary>
public sealed class RawApi
{
    private readonly Kubernetes _client;

    public RawApi(IKubernetes client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client as Kubernetes ?? throw new NotSupportedException("raw API requests need a k8s.Kubernetes client");
    }

    /// <summary>Sends a request with an optional JSON body (of <paramref name="contentType"/>) and returns the answer's body.</summary>
    public async Task<string> SendAsync(HttpMethod method, string path, string? body, CancellationToken cancellationToken, string contentType = "application/json")
    {
        ArgumentNullException.ThrowIfNull(method);
        using var request = await RequestAsync(method, path, body, contentType, cancellationToken);
        using var response = await _client.HttpClient.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw Failure(request, body, response, text);
        }
        return text;
    }

    /// <summary>
    /// Opens a streaming GET (a watch) and returns the response once its headers are in; the
    /// caller reads and disposes it. A non-2xx answer throws as <see cref="SendAsync"/> does.
    /// </summary>
    public async Task<HttpResponseMessage> StreamAsync(string path, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, path, null, null, cancellationToken);
        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw Failure(request, null, response, await response.Content.ReadAsStringAsync(cancellationToken));
            }
        }
        return response;
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken cancellationToken)
    {
        var baseUri = _client.BaseUri.ToString();
        var request = new HttpRequestMessage(method, new Uri(baseUri.EndsWith('/') ? baseUri + path : $"{baseUri}/{path}"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? "application/json") { CharSet = "utf-8" };
        }
        if (_client.Credentials is { } credentials)
        {
            // The same authentication as every typed call.
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }
        return request;
    }

    private static HttpOperationException Failure(HttpRequestMessage request, string? body, HttpResponseMessage response, string text) =>
        new($"{request.Method} {request.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {text}")
        {
            Request = new HttpRequestMessageWrapper(request, body),
            Response = new HttpResponseMessageWrapper(response, text),
        };
}
