using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MiniKube.Agent.Runtime;
using MiniKube.Client;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The kubelet API the API server proxies pods/log to (pkg/kubelet/server/server.go):
/// HTTPS on :10250 with a certificate of its own, and only clients whose certificate the
/// cluster CA issued. Serves <c>GET /containerLogs/{namespace}/{pod}/{container}</c> with
/// follow, tailLines, timestamps, previous and sinceSeconds, streaming as the container writes.
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

    public static async Task<KubeletServer> StartAsync(KubeletOptions options, Informer<V1Pod> pods, IContainerRuntime runtime, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Any, options.ServerPort, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = SelfSignedCertificate(options.NodeName, options.NodeIp);
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => IssuedBy(certificate, options.ClientCa);
            }));
        });
        var app = builder.Build();
        app.MapGet("/containerLogs/{ns}/{pod}/{container}", (HttpContext context, string ns, string pod, string container) =>
            ServeLogsAsync(context, pods, runtime, ns, pod, container));
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

    private static async Task ServeLogsAsync(HttpContext context, Informer<V1Pod> pods, IContainerRuntime runtime, string ns, string podName, string containerName)
    {
        var pod = pods.Get($"{ns}/{podName}");
        if (pod is null)
        {
            await TextAsync(context, StatusCodes.Status404NotFound, $"pod {ns}/{podName} is not on this node");
            return;
        }
        var query = context.Request.Query;
        var previous = Flag(query, "previous");
        var attempts = (await runtime.ListContainersAsync(context.RequestAborted))
            .Where(c => c.PodUid == pod.Metadata.Uid && c.Name == containerName)
            .OrderByDescending(c => c.Attempt)
            .ToList();
        var container = previous ? attempts.Skip(1).FirstOrDefault() : attempts.FirstOrDefault();
        if (container is null)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, previous
                ? $"previous terminated container \"{containerName}\" in pod \"{podName}\" not found"
                : $"container \"{containerName}\" in pod \"{podName}\" is waiting to start: ContainerCreating");
            return;
        }
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

    private static bool Flag(IQueryCollection query, string name) => query[name].ToString() is "true" or "1";

    private static Task TextAsync(HttpContext context, int code, string text)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>
    /// The kubelet's serving certificate, made at start as upstream's kubelet does without
    /// --tls-cert-file (a self-signed one); kube-apiserver does not verify it by default.
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
