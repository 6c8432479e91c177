using System.Globalization;
using System.Net.Sockets;

namespace MiniKube.Addons.Dns;

/// <summary>
/// Answers questions about the cluster domain from Services and EndpointSlices, per the
/// Kubernetes DNS spec (kubernetes/dns docs/specification.md) and as CoreDNS's kubernetes plugin
/// does with k3s' Corefile (<c>pods insecure</c>, <c>fallthrough in-addr.arpa ip6.arpa</c>):
/// <list type="bullet">
/// <item><c>&lt;svc&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>: the cluster IPs, a headless Service's ready endpoint
/// addresses, or an ExternalName's CNAME;</item>
/// <item><c>&lt;hostname&gt;.&lt;svc&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>: a headless Service's endpoint by its
/// hostname (StatefulSet pods) or by its dashed address;</item>
/// <item><c>_&lt;port&gt;._&lt;proto&gt;.&lt;svc&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>: SRV for named ports;</item>
/// <item><c>&lt;a-b-c-d&gt;.&lt;ns&gt;.pod.&lt;zone&gt;</c>: the address in the name;</item>
/// <item>PTR for cluster IPs and hostnamed endpoints; other reverse names are not ours.</item>
/// </list>
/// A name in the zone that does not exist gets NXDOMAIN, an existing name without records of the
/// asked type NODATA, both with the zone's SOA in the authority section (RFC 2308).
/// </summary>
public sealed class ClusterDnsResolver
{
    private const string SchemaVersion = "1.1.0";

    private readonly IServiceDirectory _directory;
    private readonly ClusterDnsOptions _options;
    private readonly string _zone;
    private readonly DnsRecord _soa;

    public ClusterDnsResolver(IServiceDirectory directory, ClusterDnsOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _directory = directory;
        _options = options;
        _zone = options.Domain.Trim('.').ToLowerInvariant();
        // CoreDNS's SOA for the zone; the serial only has to grow across restarts.
        var serial = (uint)time.GetUtcNow().ToUnixTimeSeconds();
        _soa = new DnsRecord(_zone, DnsType.SOA, DnsMessage.ClassInternet, options.Ttl,
            new DnsSoaData("ns.dns." + _zone, "hostmaster." + _zone, serial, 7200, 1800, 86400, options.Ttl));
    }

    /// <summary>The reply to a one-question query when the name is ours; null when it should be forwarded.</summary>
    public DnsMessage? TryAnswer(DnsMessage query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var question = query.Questions[0];
        var name = question.Name.TrimEnd('.');
        var lower = name.ToLowerInvariant();
        if (ReverseAddress(lower) is { } address)
        {
            return ReverseAnswer(query, question, name, address);
        }
        if (lower != _zone && !lower.EndsWith("." + _zone, StringComparison.Ordinal))
        {
            return null;
        }
        if (question.Class is not DnsMessage.ClassInternet and not (ushort)DnsType.ANY)
        {
            return query.Reply(DnsResponseCode.Refused);
        }
        var relative = lower.Length == _zone.Length ? [] : lower[..(lower.Length - _zone.Length - 1)].Split('.');
        if (RecordsAt(relative, name) is not { } records)
        {
            return Negative(query, DnsResponseCode.NameError);
        }
        var matching = records.Where(r => question.Type == DnsType.ANY || r.Type == question.Type || r.Type == DnsType.CNAME).ToList();
        return matching.Count == 0
            ? Negative(query, DnsResponseCode.NoError)
            : query.Reply(DnsResponseCode.NoError) with { Authoritative = true, Answers = matching };
    }

    /// <summary>Every record at the name (labels below the zone); null when the name does not exist.</summary>
    private List<DnsRecord>? RecordsAt(string[] labels, string owner) => labels switch
    {
        [] => [_soa with { Name = owner }, Record(owner, DnsType.NS, new DnsNameData("ns.dns." + _zone))],
        ["dns-version"] => [Record(owner, DnsType.TXT, new DnsTextData(SchemaVersion))],
        ["svc"] or ["pod"] => [],
        [var ns, "svc"] => _directory.HasServices(ns) ? [] : null,
        [_, "pod"] => [],
        [var ip, _, "pod"] => DashedAddress(ip) is { } address ? [AddressRecord(owner, address)] : null,
        [var name, var ns, "svc"] => _directory.Service(ns, name) is { } service ? ServiceRecords(service, owner) : null,
        [var port, var protocol, var name, var ns, "svc"] when port.StartsWith('_') && protocol.StartsWith('_') =>
            _directory.Service(ns, name) is { } service ? SrvRecords(service, port[1..], protocol[1..], owner) : null,
        [var host, var name, var ns, "svc"] when !host.StartsWith('_') =>
            _directory.Service(ns, name) is { } service && IsHeadless(service) ? HostRecords(service, host, owner) : null,
        _ => null,
    };

    private List<DnsRecord> ServiceRecords(V1Service service, string owner)
    {
        if (service.Spec?.Type == "ExternalName" && service.Spec.ExternalName is { Length: > 0 } target)
        {
            return [Record(owner, DnsType.CNAME, new DnsNameData(target.TrimEnd('.')))];
        }
        if (IsHeadless(service))
        {
            return [.. ReadyEndpoints(service).Select(e => e.Address).Distinct().Select(a => AddressRecord(owner, a))];
        }
        return [.. ClusterIps(service).Select(ip => AddressRecord(owner, ip))];
    }

    /// <summary>SRV for a named port: the service's name for a cluster IP, each ready endpoint's name for a headless service.</summary>
    private List<DnsRecord>? SrvRecords(V1Service service, string portName, string protocol, string owner)
    {
        var port = service.Spec?.Ports?.FirstOrDefault(p =>
            string.Equals(p.Name, portName, StringComparison.OrdinalIgnoreCase)
            && string.Equals(p.Protocol ?? "TCP", protocol, StringComparison.OrdinalIgnoreCase));
        if (port is null || service.Spec?.Type == "ExternalName")
        {
            return null;
        }
        var serviceName = ServiceName(service);
        if (!IsHeadless(service))
        {
            return [Record(owner, DnsType.SRV, new DnsSrvData(0, 100, (ushort)port.Port, serviceName))];
        }
        // The port number comes from the endpoints (the target port); a slice without ports gets the service's.
        var targets = ReadyEndpoints(service)
            .Select(e => (Target: $"{EndpointHostname(e)}.{serviceName}", Port: e.Ports.FirstOrDefault(p => PortMatches(p, port))?.Port ?? port.Port))
            .Distinct()
            .ToList();
        var weight = (ushort)Math.Max(1, 100 / Math.Max(1, targets.Count));
        return [.. targets.Select(t => Record(owner, DnsType.SRV, new DnsSrvData(0, weight, (ushort)t.Port, t.Target)))];
    }

    private List<DnsRecord>? HostRecords(V1Service service, string host, string owner)
    {
        var addresses = ReadyEndpoints(service)
            .Where(e => string.Equals(EndpointHostname(e), host, StringComparison.OrdinalIgnoreCase))
            .Select(e => e.Address)
            .Distinct()
            .ToList();
        return addresses.Count == 0 ? null : [.. addresses.Select(a => AddressRecord(owner, a))];
    }

    /// <summary>PTR for a cluster IP or a headless endpoint with a hostname; anything else falls through to upstream.</summary>
    private DnsMessage? ReverseAnswer(DnsMessage query, DnsQuestion question, string owner, IPAddress address)
    {
        var text = address.ToString();
        var names = _directory.ServicesWithClusterIp(text).Select(ServiceName)
            .Concat(_directory.EndpointSlicesWithAddress(text).SelectMany(HostnamesOf(text)))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (names.Count == 0)
        {
            return null;
        }
        var answers = question.Type is DnsType.PTR or DnsType.ANY ? names.Select(n => Record(owner, DnsType.PTR, new DnsNameData(n))).ToList() : [];
        return query.Reply(DnsResponseCode.NoError) with { Authoritative = true, Answers = answers };
    }

    private Func<V1EndpointSlice, IEnumerable<string>> HostnamesOf(string address) => slice =>
    {
        string? serviceName = null;
        if (slice.Metadata.Labels?.TryGetValue(WellKnownLabels.ServiceName, out serviceName) != true || serviceName is null || _directory.Service(slice.Namespace(), serviceName) is not { } service || !IsHeadless(service))
        {
            return [];
        }
        return (slice.Endpoints ?? [])
            .Where(e => e.Hostname is { Length: > 0 } && (e.Addresses ?? []).Contains(address))
            .Select(e => $"{e.Hostname}.{ServiceName(service)}");
    };

    private DnsMessage Negative(DnsMessage query, DnsResponseCode code) =>
        query.Reply(code) with { Authoritative = true, Authority = [_soa] };

    private DnsRecord Record(string owner, DnsType type, DnsRecordData data) => new(owner, type, DnsMessage.ClassInternet, _options.Ttl, data);

    private DnsRecord AddressRecord(string owner, IPAddress address) =>
        Record(owner, address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A, new DnsAddressData(address));

    private string ServiceName(V1Service service) => $"{service.Metadata.Name}.{service.Metadata.NamespaceProperty}.svc.{_zone}";

    /// <summary>A Service without a cluster IP: its name resolves to its endpoints.</summary>
    private static bool IsHeadless(V1Service service) =>
        service.Spec?.Type != "ExternalName" && (service.Spec?.ClusterIP is null or "" or "None");

    private static IEnumerable<IPAddress> ClusterIps(V1Service service) =>
        (service.Spec?.ClusterIPs is { Count: > 0 } ips ? ips : [service.Spec?.ClusterIP ?? ""])
            .Select(ip => IPAddress.TryParse(ip, out var parsed) ? parsed : null)
            .OfType<IPAddress>();

    /// <summary>The addresses a headless name returns: ready endpoints (unset counts as ready), or all when the Service publishes not-ready ones.</summary>
    private IEnumerable<ReadyEndpoint> ReadyEndpoints(V1Service service)
    {
        var publishNotReady = service.Spec?.PublishNotReadyAddresses == true;
        foreach (var slice in _directory.EndpointSlices(service.Metadata.NamespaceProperty, service.Metadata.Name))
        {
            if (slice.AddressType is not ("IPv4" or "IPv6"))
            {
                continue;
            }
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (!publishNotReady && endpoint.Conditions?.Ready == false)
                {
                    continue;
                }
                foreach (var text in endpoint.Addresses ?? [])
                {
                    if (IPAddress.TryParse(text, out var address))
                    {
                        yield return new ReadyEndpoint(address, endpoint.Hostname, slice.Ports ?? []);
                    }
                }
            }
        }
    }

    private static bool PortMatches(Discoveryv1EndpointPort endpointPort, V1ServicePort servicePort) =>
        string.Equals(endpointPort.Name ?? "", servicePort.Name ?? "", StringComparison.OrdinalIgnoreCase)
        && string.Equals(endpointPort.Protocol ?? "TCP", servicePort.Protocol ?? "TCP", StringComparison.OrdinalIgnoreCase);

    /// <summary>The endpoint's hostname, or CoreDNS's stand-in for none: its address with dashes.</summary>
    private static string EndpointHostname(ReadyEndpoint endpoint) =>
        endpoint.Hostname is { Length: > 0 } hostname ? hostname : Dashed(endpoint.Address);

    private static string Dashed(IPAddress address) =>
        address.ToString().Replace('.', '-').Replace(':', '-');

    /// <summary><c>10-42-0-5</c> → 10.42.0.5; <c>fd00--5</c> → fd00::5; null when the label is no address.</summary>
    private static IPAddress? DashedAddress(string label)
    {
        if (label.Count(c => c == '-') == 3 && IPAddress.TryParse(label.Replace('-', '.'), out var v4) && v4.AddressFamily == AddressFamily.InterNetwork)
        {
            return v4;
        }
        return label.Contains("--", StringComparison.Ordinal) || label.Count(c => c == '-') == 7
            ? IPAddress.TryParse(label.Replace('-', ':'), out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null
            : null;
    }

    /// <summary>The address a reverse name stands for (d.c.b.a.in-addr.arpa, or 32 nibbles under ip6.arpa); null otherwise.</summary>
    private static IPAddress? ReverseAddress(string name)
    {
        const string v4Suffix = ".in-addr.arpa";
        const string v6Suffix = ".ip6.arpa";
        if (name.EndsWith(v4Suffix, StringComparison.Ordinal))
        {
            var octets = name[..^v4Suffix.Length].Split('.');
            if (octets.Length != 4 || !octets.All(o => byte.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return null;
            }
            return new IPAddress([.. octets.Reverse().Select(o => byte.Parse(o, CultureInfo.InvariantCulture))]);
        }
        if (name.EndsWith(v6Suffix, StringComparison.Ordinal))
        {
            var nibbles = name[..^v6Suffix.Length].Split('.');
            if (nibbles.Length != 32 || !nibbles.All(n => n.Length == 1 && Uri.IsHexDigit(n[0])))
            {
                return null;
            }
            var hex = string.Concat(nibbles.Reverse());
            return new IPAddress(Convert.FromHexString(hex));
        }
        return null;
    }

    private sealed record ReadyEndpoint(IPAddress Address, string? Hostname, IList<Discoveryv1EndpointPort> Ports);
}
