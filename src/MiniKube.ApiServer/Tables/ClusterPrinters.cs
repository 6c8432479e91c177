using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of the small cluster and configuration kinds: Namespace, ConfigMap, Secret,
/// ServiceAccount, ComponentStatus, Lease and PodDisruptionBudget (their print functions in
/// kubernetes pkg/printers/internalversion/printers.go).
/// </summary>
internal static class ClusterPrinters
{
    public static TablePrinter Namespace { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Status", "The status of the namespace"), TableColumn.Age],
        (ns, now) => [Cells.Name(ns), JsonFields.Text(ns, "status", "phase"), Cells.Age(ns, now)]);

    public static TablePrinter ConfigMap { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Data", "Number of keys in data and binaryData."), TableColumn.Age],
        (cm, now) => [Cells.Name(cm), (long)(JsonFields.Count(cm, "data") + JsonFields.Count(cm, "binaryData")), Cells.Age(cm, now)]);

    public static TablePrinter Secret { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Type", "Used to facilitate programmatic handling of secret data."), TableColumn.Text("Data", "Number of keys in data."), TableColumn.Age],
        (secret, now) => [Cells.Name(secret), JsonFields.Text(secret, "type"), (long)JsonFields.Count(secret, "data"), Cells.Age(secret, now)]);

    public static TablePrinter ServiceAccount { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Secrets", "Number of secrets listed for this service account."), TableColumn.Age],
        (sa, now) => [Cells.Name(sa), (long)JsonFields.Count(sa, "secrets"), Cells.Age(sa, now)]);

    public static TablePrinter ComponentStatus { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Status", "Status of the component conditions"),
            TableColumn.Text("Message", "Message of the component conditions"),
            TableColumn.Text("Error", "Error of the component conditions"),
        ],
        (cs, _) =>
        {
            var healthy = JsonFields.Objects(cs, "conditions").FirstOrDefault(c => JsonFields.Text(c, "type") == "Healthy");
            var status = healthy is null ? "Unknown" : JsonFields.Text(healthy, "status") == "True" ? "Healthy" : "Unhealthy";
            return [Cells.Name(cs), status, JsonFields.Text(healthy, "message"), JsonFields.Text(healthy, "error")];
        });

    public static TablePrinter Lease { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Holder", "The identity of the current holder of the lease."), TableColumn.Age],
        (lease, now) => [Cells.Name(lease), JsonFields.Text(lease, "spec", "holderIdentity"), Cells.Age(lease, now)]);

    public static TablePrinter PodDisruptionBudget { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Min Available", "The minimum number of pods that must be available."),
            TableColumn.Text("Max Unavailable", "The maximum number of pods that may be unavailable."),
            TableColumn.Integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
            TableColumn.Age,
        ],
        (pdb, now) =>
        [
            Cells.Name(pdb),
            Cells.IntOrString(pdb, "spec", "minAvailable") ?? "N/A",
            Cells.IntOrString(pdb, "spec", "maxUnavailable") ?? "N/A",
            JsonFields.Integer(pdb, "status", "disruptionsAllowed") ?? 0,
            Cells.Age(pdb, now),
        ]);

    /// <summary>
    /// printResourceQuota: for each name of spec.hard, in order, "name: used/hard" from status
    /// (absent amounts print 0); limits.* names go to the Limit column, the rest to Request.
    /// </summary>
    public static TablePrinter ResourceQuota { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Age,
            TableColumn.Text("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
            TableColumn.Text("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        ],
        (quota, now) =>
        {
            var requests = new List<string>();
            var limits = new List<string>();
            foreach (var name in (JsonFields.Object(quota, "spec", "hard") ?? []).Select(p => p.Key).Order(StringComparer.Ordinal))
            {
                var entry = $"{name}: {Amount(quota, "used", name)}/{Amount(quota, "hard", name)}";
                (name.Split('.') is ["limits", _, ..] ? limits : requests).Add(entry);
            }
            return [Cells.Name(quota), Cells.Age(quota, now), string.Join(", ", requests), string.Join(", ", limits)];
        });

    private static string Amount(JsonObject quota, string list, string name) =>
        ExactQuantity.TryParse(JsonFields.String(quota, "status", list, name), out var amount) ? amount.ToString() : "0";
}
