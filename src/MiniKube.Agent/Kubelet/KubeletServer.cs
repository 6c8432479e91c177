using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using MiniKube.Agent.Kubelet.PortForward;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The kubelet API the API server proxies pods/log to (pkg/kubelet/server/server.go):
/// HTTPS on :10250 with a certificate of its own. Every request is authenticated (a client
/// certificate the cluster CA issued, or a bearer token through a TokenReview) and authorized
/// through a SubjectAccessReview on <c>nodes/proxy</c>, <c>nodes/log</c> and the like
/// (<see cref="KubeletAuth"/>), so <c>kubectl logs</c> and <c>exec</c> need those rights. Serves <c>GET /containerLogs/{namespace}/{pod}/{container}</c> with
/// follow, tailLines, timestamps, previous and sinceSeconds, streaming as the container writes;
/// and <c>/exec/…</c> and <c>/attach/…</c> (query: command, input, output, error, tty, as
/// upstream's API server sends them) as WebSockets in the channel protocols of <see cref="RemoteCommand"/>;
/// and <c>/portForward/{namespace}/{pod}</c> (<see cref="PortForwardEndpoint"/>); and the resource
/// figures of <see cref="Stats.KubeletStats"/> as <c>/stats/summary</c> (JSON, nodes/stats) and
/// <c>/metrics/resource</c> (Prometheus text, nodes/metrics), which metrics-server's role scrapes.
/// </summary>
internal sealed class KubeletServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KubeletServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<KubeletServer> StartAsync(KubeletOptions options, KubeletAuth auth, Informer<V1Pod> pods, IContainerRuntime runtime, ILogger logger, CancellationToken cancellationToken)
    {
        // No configuration-file watching: each watcher holds an inotify instance and a thread, and
        // Linux allows 128 instances per user, which --simulate-nodes (one server per node) exceeds.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Any, options.ServerPort, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = options.ServingCertificate ?? SelfSignedCertificate(options.NodeName, options.NodeIp);
                // Allowed, not required: a caller may instead bring a bearer token (TokenReview).
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => CustomTrust.Verifies(certificate, [options.ClientCa]);
            }));
        });
        var app = builder.Build();
        app.Use((context, next) => AuthorizeAsync(context, auth, next));
        app.UseWebSockets();
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", (HttpContext context, string ns, string pod, string container) =>
            ServeLogsAsync(context, pods, runtime, ns, pod, container));
        app.MapGet("/exec/{ns}/{pod}/{container}", (HttpContext context, string ns, string pod, string container) =>
            ServeStreamAsync(context, pods, runtime, ns, pod, container, attach: false));
        app.MapGet("/attach/{ns}/{pod}/{container}", (HttpContext context, string ns, string pod, string container) =>
            ServeStreamAsync(context, pods, runtime, ns, pod, container, attach: true));
        // Upstream's path and casing (pkg/kubelet/server/server.go); the uid form pins the pod.
        foreach (var pattern in (string[])["/portForward/{ns}/{pod}", "/portForward/{ns}/{pod}/{uid}"])
        {
            app.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Post], (HttpContext context, string ns, string pod, string? uid) =>
                PortForwardEndpoint.ServeAsync(context, pods.Get($"{ns}/{pod}"), uid, runtime, logger));
        }
        var stats = new Stats.KubeletStats(options.NodeName, pods, runtime, options.Time);
        app.MapGet("/stats/summary", async (HttpContext context) =>
        {
            var summary = Stats.StatsSummary.Build(await stats.ReadAsync(context.RequestAborted));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(summary.ToJsonString(), context.RequestAborted);
        });
        app.MapGet("/metrics/resource", async (HttpContext context) =>
        {
            var text = Stats.ResourceMetricsText.Build(await stats.ReadAsync(context.RequestAborted));
            context.Response.ContentType = Stats.ResourceMetricsText.ContentType;
            await context.Response.WriteAsync(text, context.RequestAborted);
        });
        app.MapGet("/healthz", () => "ok");
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("0.0.0.0", "localhost", StringComparison.Ordinal).Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        return new KubeletServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // auth.go's filter: 401 without an identity, 403 with upstream's text when the review refuses.
    private static async Task AuthorizeAsync(HttpContext context, KubeletAuth auth, RequestDelegate next)
    {
        KubeletCaller? caller;
        (bool Allowed, string Message) decision;
        try
        {
            caller = await auth.AuthenticateAsync(context);
            decision = caller is null ? (false, "") : await auth.AuthorizeAsync(caller, context.Request);
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            await TextAsync(context, StatusCodes.Status500InternalServerError, "Authorization error: the API server could not be asked: " + e.Message);
            return;
        }
        if (caller is null)
        {
            await TextAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
            return;
        }
        if (!decision.Allowed)
        {
            await TextAsync(context, StatusCodes.Status403Forbidden, decision.Message);
            return;
        }
        await next(context);
    }

    private static async Task ServeLogsAsync(HttpContext context, Informer<V1Pod> pods, IContainerRuntime runtime, string ns, string podName, string containerName)
    {
        var previous = Flag(context.Request.Query, "previous");
        var (container, code, problem) = await FindContainerAsync(context, pods, runtime, ns, podName, containerName, previous);
        if (container is null)
        {
            await TextAsync(context, code, problem!);
            return;
        }
        var query = context.Request.Query;
        var options = new LogOptions
        {
            Follow = Flag(query, "follow"),
            Timestamps = Flag(query, "timestamps"),
            TailLines = int.TryParse(query["tailLines"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var tail) ? tail : null,
            Since = int.TryParse(query["sinceSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var since) ? DateTimeOffset.UtcNow.AddSeconds(-since)
                : DateTimeOffset.TryParse(query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sinceTime) ? sinceTime : null,
        };
        await using var logs = await runtime.LogsAsync(container.Id, options, context.RequestAborted);
        context.Response.ContentType = "text/plain";
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await logs.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // kubectl logs -f was interrupted.
        }
    }

    private static async Task ServeStreamAsync(HttpContext context, Informer<V1Pod> pods, IContainerRuntime runtime, string ns, string podName, string containerName, bool attach)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "Upgrade request required");
            return;
        }
        if (RemoteCommand.Negotiate(context.WebSockets.WebSocketRequestedProtocols) is not { } protocol)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, $"none of the requested protocols is served; supported: {string.Join(", ", RemoteCommand.Protocols)}");
            return;
        }
        var query = context.Request.Query;
        var request = new StreamRequest([.. query["command"].OfType<string>()], Flag(query, "input"), Flag(query, "output"), Flag(query, "error"), Flag(query, "tty"));
        // Accepted before anything can fail, so every failure reaches kubectl as a Status with
        // its reason (an HTTP refusal would lose its text on the API server's WebSocket hop).
        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        var (container, _, problem) = await FindContainerAsync(context, pods, runtime, ns, podName, containerName, previous: false);
        if (container is null || (!attach && request.Command.Count == 0))
        {
            await RemoteCommand.FailAsync(socket, problem ?? "you must specify at least 1 command", context.RequestAborted);
            return;
        }
        IProcessStreams stream;
        try
        {
            stream = attach
                ? await runtime.AttachAsync(container.Id, request, context.RequestAborted)
                : await runtime.ExecAsync(container.Id, request, context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidOperationException or RuntimeUnavailableException or KeyNotFoundException)
        {
            await RemoteCommand.FailAsync(socket, $"error {(attach ? "attaching to" : "executing command in")} container: {e.Message}", context.RequestAborted);
            return;
        }
        await using (stream)
        {
            await RemoteCommand.RelayAsync(socket, stream, string.Join(' ', request.Command), context.RequestAborted);
        }
    }

    /// <summary>The container's latest attempt (or the one before it for <paramref name="previous"/>), or why there is none.</summary>
    private static async Task<(ContainerInfo? Container, int Code, string? Problem)> FindContainerAsync(HttpContext context, Informer<V1Pod> pods, IContainerRuntime runtime, string ns, string podName, string containerName, bool previous)
    {
        var pod = pods.Get($"{ns}/{podName}");
        if (pod is null)
        {
            return (null, StatusCodes.Status404NotFound, $"pod {ns}/{podName} is not on this node");
        }
        var attempts = (await runtime.ListContainersAsync(context.RequestAborted))
            .Where(c => c.PodUid == StaticPods.RuntimeUid(pod) && c.Name == containerName)
            .OrderByDescending(c => c.Attempt)
            .ToList();
        var container = previous ? attempts.Skip(1).FirstOrDefault() : attempts.FirstOrDefault();
        return container is not null ? (container, StatusCodes.Status200OK, null)
            : (null, StatusCodes.Status400BadRequest, previous
                ? $"previous terminated container \"{containerName}\" in pod \"{podName}\" not found"
                : $"container \"{containerName}\" in pod \"{podName}\" is waiting to start: ContainerCreating");
    }

    private static bool Flag(IQueryCollection query, string name) => query[name].ToString() is "true" or "1";

    private static Task TextAsync(HttpContext context, int code, string text)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>
    /// A serving certificate for a kubelet the host gave none (simulated nodes), made at start as
    /// upstream's kubelet does without --tls-cert-file (a self-signed one); kube-apiserver does not
    /// verify it by default.
    /// </summary>
    private static X509Certificate2 SelfSignedCertificate(string nodeName, string nodeIp)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}@kubelet", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        if (IPAddress.TryParse(nodeIp, out var ip))
        {
            names.AddIpAddress(ip);
        }
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
