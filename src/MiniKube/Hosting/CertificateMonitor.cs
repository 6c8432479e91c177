using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using MiniKube.ApiServer.Pki;
using MiniKube.Client.Events;

namespace MiniKube.Hosting;

/// <summary>An event the monitor records on its Node.</summary>
internal sealed record CertificateEvent(string Type, string Reason, string Message);

/// <summary>
/// Watches the expiry of this node's certificates while it runs, as k3s' cert monitor does
/// (pkg/certmonitor): every half hour it checks the leaves of the data dir against the renewal
/// rule, and the CAs against a year, and records a Warning event on the Node (and a log line)
/// for what needs attention — leaves are renewed at the next start, so the event tells the
/// operator to restart. The first check that finds nothing wrong records one Normal event.
/// Checks only: it never renews a certificate in use.
/// </summary>
internal sealed partial class CertificateMonitor(IKubernetes client, string dataDir, string nodeName, TimeProvider time, ILogger<CertificateMonitor> logger, ILoggerFactory loggers)
{
    /// <summary>k3s' certCheckInterval: twice an hour, within the event TTL so repeats aggregate.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(30);

    /// <summary>How long before a CA expires the monitor starts warning about it (k3s: 365 days).</summary>
    public static readonly TimeSpan AuthorityWindow = TimeSpan.FromDays(365);

    public const string Component = "mkube-cert-monitor";

    /// <summary>Checks now and then every <see cref="Interval"/> until <paramref name="cancellationToken"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var recorder = new EventRecorder(client, new EventRecorderOptions { Component = Component, Host = nodeName, Time = time }, loggers.CreateLogger<EventRecorder>());
        var writing = recorder.RunAsync(cancellationToken);
        // As the kubelet refers to its Node in events: the node's name stands in for its uid.
        var node = new V1ObjectReference { Kind = "Node", Name = nodeName, Uid = nodeName };
        var first = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                foreach (var e in Assess(dataDir, time.GetUtcNow(), first))
                {
                    if (e.Type == EventTypes.Warning)
                    {
                        LogAttention(e.Reason, e.Message);
                    }
                    recorder.Record(node, e.Type, e.Reason, e.Message);
                }
                first = false;
                await Task.Delay(Interval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        recorder.Complete();
        await writing;
    }

    /// <summary>
    /// The events one check yields at <paramref name="now"/> (k3s' messages, with mkube's name):
    /// a CertificateExpirationWarning for leaves expired or within the renewal window, a
    /// CACertificateExpirationWarning for CAs within a year, and on the <paramref name="first"/>
    /// check with neither, a CertificateExpirationOK.
    /// </summary>
    internal IReadOnlyList<CertificateEvent> Assess(string directory, DateTimeOffset now, bool first)
    {
        IReadOnlyList<CertificateReport> reports;
        try
        {
            reports = CertificateInventory.Check(CertificateInventory.Files(directory, null, includeAuthorities: true), now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // A file being replaced (mkube certificate rotate) or unreadable: reported, checked again next time.
            LogCheckFailed(e.Message);
            return [];
        }
        var events = new List<CertificateEvent>();
        var leaves = reports.Where(r => !r.File.IsAuthority).Select(r => r.Problem()).OfType<string>().ToList();
        if (leaves.Count > 0)
        {
            events.Add(new(EventTypes.Warning, "CertificateExpirationWarning",
                "Node certificates require attention - restart mkube on this node to trigger automatic rotation: " + string.Join('\n', leaves)));
        }
        var authorities = reports.Where(r => r.File.IsAuthority)
            .Select(r => r with { Status = CertificateRenewal.StatusOf(r.NotBefore, r.NotAfter, now, AuthorityWindow) })
            .Select(r => r.Problem(AuthorityWindow)).OfType<string>().ToList();
        if (authorities.Count > 0)
        {
            events.Add(new(EventTypes.Warning, "CACertificateExpirationWarning",
                "Certificate Authority certificates require attention - check the mkube documentation and begin planning rotation: " + string.Join('\n', authorities)));
        }
        if (first && events.Count == 0)
        {
            events.Add(new(EventTypes.Normal, "CertificateExpirationOK", "Node and Certificate Authority certificates managed by mkube are OK"));
        }
        return events;
    }

    [LoggerMessage(EventId = LogEvents.Host + 280, Level = LogLevel.Warning, Message = "{Reason}: {Message}")]
    private partial void LogAttention(string reason, string message);

    [LoggerMessage(EventId = LogEvents.Host + 281, Level = LogLevel.Warning, Message = "Could not check certificate expiry ({Reason}); checking again in 30 minutes")]
    private partial void LogCheckFailed(string reason);
}
