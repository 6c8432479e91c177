using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of Service, Endpoints and EndpointSlice, following printService, formatEndpoints and
/// the discovery formatters of kubernetes pkg/printers/internalversion/printers.go.
/// </summary>
internal static class NetworkPrinters
{
    public static TablePrinter Service { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Type", "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.", ServiceType),
            TableCell.Text("Cluster-IP", "The IP address of the service inside the cluster.", ClusterIP),
            TableCell.Text("External-IP", "Addresses the service is reachable at from outside the cluster.", ExternalIP),
            TableCell.Text("Port(s)", "The ports the service exposes.", svc => Cells.OrElse(Ports(svc), Cells.None)),
            TableCell.Age,
            TableCell.Text("Selector", "Route service traffic to pods with label keys and values matching this selector.", svc => Cells.Labels(JsonFields.Get(svc, "spec", "selector")), 1),
        ]);

    public static TablePrinter Endpoints { get; } = new(
        [TableCell.Name, TableCell.Text("Endpoints", "The addresses and ports of the endpoints.", FormatEndpoints), TableCell.Age]);

    public static TablePrinter EndpointSlice { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("AddressType", "The type of address the slice carries: IPv4, IPv6 or FQDN.", slice => JsonFields.Text(slice, "addressType")),
            TableCell.Text("Ports", "The ports of the endpoints.",
                slice => Listed(JsonFields.Objects(slice, "ports").Select(p => JsonFields.String(p, "port") ?? JsonFields.String(p, "name") ?? "*").ToList())),
            TableCell.Text("Endpoints", "The addresses of the endpoints.",
                slice => Listed(JsonFields.Objects(slice, "endpoints").SelectMany(e => (JsonFields.Array(e, "addresses") ?? []).Select(a => a?.ToString() ?? "")).ToList())),
            TableCell.Age,
        ]);

    // The type and protocol defaults are applied at creation; an undefaulted object shows them too.
    private static string ServiceType(JsonObject svc) => Cells.OrElse(JsonFields.String(svc, "spec", "type"), "ClusterIP");

    private static string ClusterIP(JsonObject svc) =>
        (JsonFields.Array(svc, "spec", "clusterIPs")?.FirstOrDefault()?.ToString() ?? JsonFields.String(svc, "spec", "clusterIP")) is { Length: > 0 } ip
            ? ip
            : Cells.None;

    private static string ExternalIP(JsonObject svc)
    {
        var externalIPs = (JsonFields.Array(svc, "spec", "externalIPs") ?? []).Select(ip => ip?.ToString() ?? "").ToList();
        switch (ServiceType(svc))
        {
            case "ClusterIP" or "NodePort":
                return externalIPs.Count > 0 ? string.Join(",", externalIPs) : Cells.None;
            case "LoadBalancer":
                // Sorted and de-duplicated like upstream's string set; the server never clips (wide output).
                var ingress = JsonFields.Objects(svc, "status", "loadBalancer", "ingress")
                    .Select(i => JsonFields.String(i, "ip") is { Length: > 0 } ip ? ip : JsonFields.Text(i, "hostname"))
                    .Where(a => a.Length > 0)
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                var all = ingress.Concat(externalIPs).ToList();
                return all.Count > 0 ? string.Join(",", all) : "<pending>";
            case "ExternalName":
                return JsonFields.Text(svc, "spec", "externalName");
            default:
                return HumanDuration.Unknown;
        }
    }

    private static string Ports(JsonObject svc) => string.Join(",", JsonFields.Objects(svc, "spec", "ports").Select(port =>
    {
        var number = JsonFields.Integer(port, "port") ?? 0;
        var protocol = Cells.OrElse(JsonFields.String(port, "protocol"), "TCP");
        var nodePort = JsonFields.Integer(port, "nodePort") ?? 0;
        return nodePort > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{number}:{nodePort}/{protocol}")
            : string.Create(CultureInfo.InvariantCulture, $"{number}/{protocol}");
    }));

    private static string FormatEndpoints(JsonObject endpoints)
    {
        var subsets = JsonFields.Objects(endpoints, "subsets").ToList();
        if (subsets.Count == 0)
        {
            return Cells.None;
        }

        var targets = subsets.SelectMany(subset =>
        {
            var addresses = JsonFields.Objects(subset, "addresses").Select(a => JsonFields.Text(a, "ip")).ToList();
            var ports = JsonFields.Objects(subset, "ports").ToList();
            // Headless services may have no ports: list bare addresses.
            return ports.Count == 0 ? addresses : ports.SelectMany(port => addresses.Select(ip => HostPort(ip, JsonFields.Integer(port, "port") ?? 0)));
        }).ToList();
        return Cells.FirstFew(targets, targets.Count);
    }

    // net.JoinHostPort: IPv6 addresses go in brackets.
    private static string HostPort(string ip, long port) =>
        ip.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{ip}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{ip}:{port}");

    // listWithMoreString: at most three entries, "<unset>" for none.
    private static string Listed(List<string> values) => values.Count == 0 ? Cells.Unset : Cells.FirstFew(values, values.Count);
}
