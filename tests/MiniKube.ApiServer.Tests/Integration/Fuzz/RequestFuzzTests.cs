using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration.Fuzz;

/// <summary>
/// Throws generated and mutated bodies (see <see cref="FuzzBodies"/>) at every verb of every
/// resource and subresource the server lists in discovery, and fails on any 5xx (our bug) or a
/// 4xx that is not a well-formed Status: kind Status, apiVersion v1, status Failure, a reason,
/// code equal to the HTTP code, and details wherever apimachinery's errors.go constructor for that
/// reason writes them. The seed is fixed, so a failure repeats; the run stops at a case count
/// or a time budget, whichever comes first.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class RequestFuzzTests : ApiServerFixture
{
    private const int Seed = 1313;
    private const int Cases = 6000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    // A client mistake is answered at once; one that takes seconds holds a request slot (and
    // would let a client tie the server up), so half of this fails the case too.
    private static readonly TimeSpan SlowAnswer = TimeSpan.FromSeconds(10);

    // The node-backed streams need a kubelet and an upgrade; they take no body either.
    private static readonly string[] Streams = ["log", "exec", "attach", "portforward", "proxy"];

    // Reasons whose errors.go constructor always sets Details (NewNotFound, NewAlreadyExists,
    // NewConflict/NewApplyConflict, NewInvalid, NewForbidden, NewMethodNotSupported and go-restful's
    // 405, NewTooManyRequests). BadRequest, UnsupportedMediaType, NotAcceptable, Gone, Expired,
    // RequestEntityTooLarge and Unauthorized carry none upstream.
    private static readonly HashSet<string> ReasonsWithDetails = ["NotFound", "AlreadyExists", "Conflict", "Invalid", "Forbidden", "MethodNotAllowed", "TooManyRequests"];

    [Test]
    public async Task EveryServedEndpoint_FuzzedBodies_NeverAnswer5xxOrAMalformedStatus()
    {
        var endpoints = (await ServedEndpoints.ReadAsync(Client, Server.Server.Address))
            .Where(e => e.Subresource is null || !Streams.Contains(e.Subresource)).ToList();
        Assert.That(endpoints.Select(e => e.Resource), Does.Contain("pods").And.Contain("deployments"), "discovery lists the built-in kinds");
        await SeedObjectsAsync(endpoints);
        var random = new Random(Seed);
        var bodies = new FuzzBodies(random);
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        for (; sent < Cases && clock.Elapsed < Budget && failures.Count < 25; sent++)
        {
            var endpoint = endpoints[random.Next(endpoints.Count)];
            var (method, path, withBody) = Request(endpoint, random, bodies);
            var (body, contentType) = withBody ? bodies.Next(endpoint, Name(endpoint), method.Method) : (null, null);
            using var timeout = new CancellationTokenSource(SlowAnswer);
            var started = clock.Elapsed;
            var (code, answer) = (0, "");
            try
            {
                (code, answer) = await RawHttp.SendBytesAsync(Client, Server.Server.Address, method, path, body, contentType, cancellationToken: timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                answer = "(no answer)";
            }
            var problem = Problem(code, answer);
            if (clock.Elapsed - started > SlowAnswer / 2)
            {
                problem ??= $"took {(clock.Elapsed - started).TotalSeconds:F1} s";
            }
            if (problem is not null)
            {
                var excerpt = body is null ? "" : Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)));
                failures.Add($"case {sent}: {method} {path} [{contentType}] -> {code}: {problem}\n    body: {excerpt}\n    answer: {answer[..Math.Min(answer.Length, 400)]}");
            }
        }
        var health = await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Get, "/readyz", null);

        Assert.That(failures, Is.Empty, $"seed {Seed}, {sent} cases over {endpoints.Count} endpoints:\n" + string.Join("\n", failures));
        Assert.That(health.Code, Is.EqualTo(200), "the server is still up");
        Assert.That(sent, Is.GreaterThan(500), "the run did not stall");
    }

    /// <summary>One object per resource under the name the item paths use, where a minimal object is valid, so updates and patches reach the body's decoding.</summary>
    private async Task SeedObjectsAsync(IEnumerable<ServedEndpoint> endpoints)
    {
        foreach (var endpoint in endpoints.Where(e => e.Subresource is null && e.Verbs.Contains("create")))
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = endpoint.ApiVersion,
                ["kind"] = endpoint.Kind,
                ["metadata"] = new JsonObject { ["name"] = Name(endpoint) },
            };
            if (endpoint.Kind == "Pod")
            {
                obj["spec"] = JsonNode.Parse("""{"containers":[{"name":"c","image":"busybox"}]}""");
            }
            // Refusals are expected for kinds whose minimal object is invalid; they are fuzzed by name anyway.
            await RawHttp.SendAsync(Client, Server.Server.Address, HttpMethod.Post, endpoint.Collection("default"), obj.ToJsonString());
        }
    }

    private static string Name(ServedEndpoint endpoint) => $"fuzz-{endpoint.Resource}";

    private static (HttpMethod Method, string Path, bool WithBody) Request(ServedEndpoint endpoint, Random random, FuzzBodies bodies)
    {
        var verb = random.Next(8) == 0 ? "unlisted" : endpoint.Verbs[random.Next(endpoint.Verbs.Count)];
        var ns = random.Next(10) == 0 ? "no-such-namespace" : "default";
        var item = endpoint.Item(ns, random.Next(6) == 0 ? "absent" : Name(endpoint));
        var collection = endpoint.Collection(ns);
        return verb switch
        {
            "list" => (HttpMethod.Get, collection + bodies.Query(list: true), false),
            "get" => (HttpMethod.Get, item, false),
            "create" when endpoint.Subresource is null => (HttpMethod.Post, collection + bodies.Query(list: false), true),
            "create" => (HttpMethod.Post, item + bodies.Query(list: false), true),
            "update" => (HttpMethod.Put, item + bodies.Query(list: false), true),
            "patch" => (HttpMethod.Patch, item + bodies.Query(list: false), true),
            "delete" => (HttpMethod.Delete, item + bodies.Query(list: false), random.Next(2) == 0),
            "deletecollection" => (HttpMethod.Delete, collection + bodies.Query(list: true), random.Next(2) == 0),
            // Verbs discovery does not list must be refused cleanly too.
            _ => (new HttpMethod(new[] { "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }[random.Next(5)]), random.Next(2) == 0 ? item : collection, true),
        };
    }

    /// <summary>What is wrong with an answer, or null when it is acceptable.</summary>
    private static string? Problem(int code, string answer)
    {
        if (code == 0)
        {
            return "no answer";
        }
        if (code >= 500)
        {
            return "a server error for a client's request";
        }
        if (code < 400)
        {
            return null;
        }
        JsonObject status;
        try
        {
            status = JsonNode.Parse(answer) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            return "the error is not a JSON Status";
        }
        var reason = status["reason"]?.GetValue<string>() ?? "";
        if (status["kind"]?.GetValue<string>() != "Status" || status["apiVersion"]?.GetValue<string>() != "v1" || status["status"]?.GetValue<string>() != "Failure")
        {
            return "not kind Status, apiVersion v1, status Failure";
        }
        if (reason.Length == 0 || status["code"]?.GetValue<int>() != code || status["message"] is null)
        {
            return "reason, message or code missing or not the HTTP code";
        }
        if (status.ContainsKey("details") && status["details"] is not JsonObject)
        {
            return "details is not an object";
        }
        return ReasonsWithDetails.Contains(reason) && status["details"] is null ? $"{reason} without details" : null;
    }
}
