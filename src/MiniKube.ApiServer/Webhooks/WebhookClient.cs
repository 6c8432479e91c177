using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Webhooks;

/// <summary>
/// The API server's HTTPS client for webhooks (admission webhooks, CRD conversion webhooks),
/// upstream's apiserver pkg/util/webhook ClientManager: a POST of a JSON body to a
/// <see cref="WebhookTarget"/>, trusting only the target's caBundle (the system's roots when it
/// has none), reaching a Service through <see cref="IServiceResolver"/> while checking the
/// certificate against the Service's DNS name (both through <see cref="ServiceTransport"/>), within
/// a timeout that is also sent as the <c>?timeout=</c> query as client-go does. One connection
/// pool per caBundle; thread-safe.
/// </summary>
public sealed class WebhookClient : IDisposable
{
    /// <summary>The largest answer read (upstream's webhook client reads at most this much too).</summary>
    public const int MaxResponseBytes = 3 * 1024 * 1024;

    private readonly IServiceResolver? _resolver;
    private readonly ServiceTransports _pools = new();

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
        var pool = _pools.For(target.CaBundle);
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
                request.Options.Set(ServiceTransport.Endpoint, await _resolver.ResolveAsync(service, deadline.Token));
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
            throw new WebhookCallException($"{shown}: {pool.Describe(e, request)}", e);
        }
    }

    public void Dispose() => _pools.Dispose();

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

    private static string GoQuote(string text) => GoSyntax.Quote(text);
}
