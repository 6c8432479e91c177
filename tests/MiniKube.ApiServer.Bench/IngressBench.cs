using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace MiniKube.ApiServer.Bench;

/// <summary>
/// Issue 16's ingress figures (<c>scripts/bench ingress</c>): requests per second and p99 latency
/// of <c>wrk</c> through the published server's ingress data plane to a small HTTP backend,
/// against the same backend reached directly, in one run and in the order A B B A (direct,
/// ingress, ingress, direct, repeated), so drift in the machine's load touches both alike. The
/// backend is a minimal Kestrel app of this process on loopback (keep-alive, a 2-byte body),
/// behind a Service without selector and an EndpointSlice written by hand: no pod, so no Docker
/// and no pod network in the figures, only what the ingress adds.
/// </summary>
internal static partial class IngressBench
{
    private const string Host = "bench.test";

    public static async Task RunAsync(string binary, string work, int seconds, int connections, int rounds)
    {
        await using var backend = await StartBackendAsync();
        var backendPort = new Uri(backend.Urls.First()).Port;
        var http = MkubeServer.FreePort();
        var https = MkubeServer.FreePort();
        // The control plane and the data plane, nothing that runs pods.
        await using var server = await MkubeServer.StartAsync(binary, Path.Combine(work, "ingress"), null,
            "--disable-agent", "--disable-scheduler", "--ingress-http-port", Text(http), "--ingress-https-port", Text(https));
        await CreateRouteAsync(server, backendPort);
        var direct = new Uri($"http://127.0.0.1:{Text(backendPort)}/");
        var ingress = new Uri($"http://127.0.0.1:{Text(http)}/");
        await WaitRoutedAsync(ingress);
        Console.Error.WriteLine($"backend 127.0.0.1:{backendPort}, ingress :{http}; wrk -t2 -c{connections} -d{seconds}s, {rounds} x (direct, ingress, ingress, direct)");
        // A short warm-up of each path: JIT, connection pools.
        await WrkAsync(direct, 2, connections);
        await WrkAsync(ingress, 2, connections);
        var directRuns = new List<WrkResult>();
        var ingressRuns = new List<WrkResult>();
        var ingressCpu = TimeSpan.Zero;
        long ingressRequests = 0;
        for (var round = 0; round < rounds; round++)
        {
            directRuns.Add(await WrkAsync(direct, seconds, connections));
            var before = server.CpuTime();
            var a = await WrkAsync(ingress, seconds, connections);
            var b = await WrkAsync(ingress, seconds, connections);
            ingressRuns.AddRange([a, b]);
            ingressRequests += a.Requests + b.Requests;
            ingressCpu += server.CpuTime() - before;
            directRuns.Add(await WrkAsync(direct, seconds, connections));
        }
        var rssMb = server.RssBytes() / 1048576.0;
        Print(directRuns, ingressRuns, ingressCpu, ingressRequests, rssMb, seconds, connections, rounds);
    }

    private static void Print(List<WrkResult> direct, List<WrkResult> ingress, TimeSpan ingressCpu, long ingressRequests, double rssMb, int seconds, int connections, int rounds)
    {
        var directRps = direct.Average(r => r.RequestsPerSecond);
        var ingressRps = ingress.Average(r => r.RequestsPerSecond);
        // Each run's p99, then the mean over the runs of each kind.
        var directP99 = direct.Average(r => r.P99Ms);
        var ingressP99 = ingress.Average(r => r.P99Ms);
        var ratio = ingressRps / directRps;
        var added = ingressP99 - directP99;
        Console.WriteLine($"| HTTP/1.1 GET, wrk -t2 -c{connections}, {rounds * 4} runs of {seconds} s (A B B A) | direct (backend on loopback) | through the ingress | ingress vs direct | goal |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| requests/s (mean of runs) | {directRps:F0} | {ingressRps:F0} | {ratio:F2}x {(ratio >= 0.7 ? "(met)" : "(missed)")} | ≥ 0.7x direct |");
        Console.WriteLine($"| p99 latency (mean of runs' p99) | {directP99:F2} ms | {ingressP99:F2} ms | +{added:F2} ms {(added <= 2 ? "(met)" : "(missed)")} | ≤ +2 ms |");
        Console.WriteLine($"| p99 per run | {string.Join(" / ", direct.Select(r => r.P99Ms.ToString("F2", CultureInfo.InvariantCulture)))} ms | {string.Join(" / ", ingress.Select(r => r.P99Ms.ToString("F2", CultureInfo.InvariantCulture)))} ms | | |");
        Console.WriteLine($"| mkube CPU per proxied request | | {ingressCpu.TotalMicroseconds / Math.Max(1, ingressRequests):F0} µs | | |");
        Console.WriteLine($"| mkube RSS after the runs | | {rssMb:F0} MB | | |");
    }

    private static async Task<WebApplication> StartBackendAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var body = "ok"u8.ToArray();
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.StartAsync();
        return app;
    }

    private static async Task CreateRouteAsync(MkubeServer server, int backendPort)
    {
        await ClusterBench.PostAsync(server.Client, new Uri(server.Address, "/api/v1/namespaces/default/services"),
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"bench"},"spec":{"ports":[{"name":"http","port":80}]}}""");
        await ClusterBench.PostAsync(server.Client, new Uri(server.Address, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"),
            $$$$"""{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"bench-1","labels":{"kubernetes.io/service-name":"bench"}},"addressType":"IPv4","endpoints":[{"addresses":["127.0.0.1"],"conditions":{"ready":true}}],"ports":[{"name":"http","port":{{{{backendPort}}}},"protocol":"TCP"}]}""");
        await ClusterBench.PostAsync(server.Client, new Uri(server.Address, "/apis/networking.k8s.io/v1/namespaces/default/ingresses"),
            """{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"bench"},"spec":{"rules":[{"host":"bench.test","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"bench","port":{"number":80}}}}]}}]}}""");
    }

    private static async Task WaitRoutedAsync(Uri ingress)
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, ingress) { Headers = { Host = Host } };
            try
            {
                using var response = await http.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the ingress at {ingress} did not route {Host} within 60 s");
            }
            await Task.Delay(100);
        }
    }

    private static async Task<WrkResult> WrkAsync(Uri url, int seconds, int connections)
    {
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-t2", "-c" + Text(connections), "-d" + Text(seconds) + "s", "--latency", "-H", "Host: " + Host, url.ToString() })
        {
            info.ArgumentList.Add(arg);
        }
        using var wrk = Process.Start(info) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk)");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var rps = RequestsPerSecond().Match(output);
        var p99 = P99().Match(output);
        var total = Requests().Match(output);
        if (wrk.ExitCode != 0 || !rps.Success || !p99.Success || !total.Success || Errors().IsMatch(output))
        {
            throw new InvalidOperationException($"wrk against {url} failed or saw errors:\n{output}{await wrk.StandardError.ReadToEndAsync()}");
        }
        var result = new WrkResult(double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture), Milliseconds(p99.Groups[1].Value, p99.Groups[2].Value), long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture));
        Console.Error.WriteLine($"  {(url.Port.ToString(CultureInfo.InvariantCulture)),5} {seconds,3} s: {result.RequestsPerSecond,8:F0} req/s, p99 {result.P99Ms:F2} ms");
        return result;
    }

    private static double Milliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, _ => throw new FormatException("wrk latency unit " + unit) };
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    // Socket errors or non-2xx answers: the figures would not be of the route.
    [GeneratedRegex(@"Socket errors|Non-2xx")]
    private static partial Regex Errors();

    private sealed record WrkResult(double RequestsPerSecond, double P99Ms, long Requests);
}
