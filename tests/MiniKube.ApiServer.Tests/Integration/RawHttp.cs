using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>Requests as raw bytes through an authenticated client, for bodies and headers the typed client cannot send.</summary>
internal static class RawHttp
{
    public static Task<(int Code, string Body)> SendAsync(Kubernetes client, Uri server, HttpMethod method, string path, string? body, string? contentType = "application/json", string? accept = null) =>
        SendBytesAsync(client, server, method, path, body is null ? null : Encoding.UTF8.GetBytes(body), contentType, accept: accept);

    public static async Task<(int Code, string Body)> SendBytesAsync(Kubernetes client, Uri server, HttpMethod method, string path, byte[]? body, string? contentType, string? accept = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, new Uri(server, path));
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            // Past the server's limit the answer (413) comes before the body is read; asking first
            // keeps the client from writing into a closed connection.
            request.Headers.ExpectContinue = body.Length > 1024 * 1024;
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }
        using var response = await client.HttpClient.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>The body as a JSON object (a Status or an object); fails the test when it is not one.</summary>
    public static JsonObject Json(string body) => JsonNode.Parse(body) as JsonObject ?? throw new AssertionException($"not a JSON object: {body}");
}
