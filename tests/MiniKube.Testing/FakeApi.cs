using System.Net;
using System.Text;
using k8s;

namespace MiniKube.Testing;

/// <summary>One request a controller made: verb, path (with query) and body.</summary>
public sealed record ApiCall(string Method, string Path, string? Body)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// An <see cref="IKubernetes"/> whose every request is recorded and answered by
/// <see cref="Respond"/> (default: echo the body back with 200 for writes, 404 for reads), so a
/// controller unit test can assert on exactly the API calls one sync made.
/// </summary>
public sealed class FakeApi : IDisposable
{
    private readonly List<ApiCall> _calls = [];

    public FakeApi()
    {
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://fake.invalid" }, new Recorder(this));
    }

    public Kubernetes Client { get; }

    /// <summary>Answers a call: a status code and a JSON body.</summary>
    public Func<ApiCall, (HttpStatusCode Code, string Json)> Respond { get; set; } = DefaultResponse;

    public IReadOnlyList<ApiCall> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The calls other than reads (GET), which is what a sync's effect is.</summary>
    public IReadOnlyList<ApiCall> Writes => [.. Calls.Where(c => c.Method != "GET")];

    public void Clear()
    {
        lock (_calls)
        {
            _calls.Clear();
        }
    }

    public void Dispose() => Client.Dispose();

    private static (HttpStatusCode, string) DefaultResponse(ApiCall call) => call.Method switch
    {
        "GET" => (HttpStatusCode.NotFound, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}"""),
        "DELETE" => (HttpStatusCode.OK, """{"kind":"Status","apiVersion":"v1","status":"Success"}"""),
        _ => (HttpStatusCode.OK, call.Body ?? "{}"),
    };

    private sealed class Recorder(FakeApi api) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var call = new ApiCall(request.Method.Method, request.RequestUri!.PathAndQuery, body);
            lock (api._calls)
            {
                api._calls.Add(call);
            }
            var (code, json) = api.Respond(call);
            return new HttpResponseMessage(code) { Content = new StringContent(json, Encoding.UTF8, "application/json"), RequestMessage = request };
        }
    }
}
