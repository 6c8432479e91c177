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
        [TableCell.Name, TableCell.Text("Status", "The status of the namespace", ns => JsonFields.Text(ns, "status", "phase")), TableCell.Age]);

    public static TablePrinter ConfigMap { get; } = new(
        [TableCell.Name, TableCell.TextCount("Data", "Number of keys in data and binaryData.", cm => JsonFields.Count(cm, "data") + JsonFields.Count(cm, "binaryData")), TableCell.Age]);

    public static TablePrinter Secret { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Type", "Used to facilitate programmatic handling of secret data.", secret => JsonFields.Text(secret, "type")),
            TableCell.TextCount("Data", "Number of keys in data.", secret => JsonFields.Count(secret, "data")),
            TableCell.Age,
        ]);

    public static TablePrinter ServiceAccount { get; } = new(
        [TableCell.Name, TableCell.TextCount("Secrets", "Number of secrets listed for this service account.", sa => JsonFields.Count(sa, "secrets")), TableCell.Age]);

    public static TablePrinter ComponentStatus { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Status", "Status of the component conditions", cs => Healthy(cs) is not { } healthy ? "Unknown" : JsonFields.Text(healthy, "status") == "True" ? "Healthy" : "Unhealthy"),
            TableCell.Text("Message", "Message of the component conditions", cs => JsonFields.Text(Healthy(cs), "message")),
            TableCell.Text("Error", "Error of the component conditions", cs => JsonFields.Text(Healthy(cs), "error")),
        ]);

    public static TablePrinter Lease { get; } = new(
        [TableCell.Name, TableCell.Text("Holder", "The identity of the current holder of the lease.", lease => JsonFields.Text(lease, "spec", "holderIdentity")), TableCell.Age]);

    public static TablePrinter PodDisruptionBudget { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Min Available", "The minimum number of pods that must be available.", pdb => Cells.IntOrString(pdb, "spec", "minAvailable") ?? "N/A"),
            TableCell.Text("Max Unavailable", "The maximum number of pods that may be unavailable.", pdb => Cells.IntOrString(pdb, "spec", "maxUnavailable") ?? "N/A"),
            TableCell.Integer("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time.", pdb => JsonFields.Integer(pdb, "status", "disruptionsAllowed") ?? 0),
            TableCell.Age,
        ]);

    /// <summary>
    /// printResourceQuota: for each name of spec.hard, in order, "name: used/hard" from status
    /// (absent amounts print 0); limits.* names go to the Limit column, the rest to Request.
    /// </summary>
    public static TablePrinter ResourceQuota { get; } = new(
        [
            TableCell.Name,
            TableCell.Age,
            TableCell.Text("Request", "Request represents a minimum amount of cpu/memory that a container may consume.", quota => QuotaAmounts(quota, limits: false)),
            TableCell.Text("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.", quota => QuotaAmounts(quota, limits: true)),
        ]);

    private static JsonObject? Healthy(JsonObject cs) => JsonFields.Objects(cs, "conditions").FirstOrDefault(c => JsonFields.Text(c, "type") == "Healthy");

    private static string QuotaAmounts(JsonObject quota, bool limits) => string.Join(", ",
        (JsonFields.Object(quota, "spec", "hard") ?? []).Select(p => p.Key)
            .Where(name => name.Split('.') is ["limits", _, ..] == limits)
            .Order(StringComparer.Ordinal)
            .Select(name => $"{name}: {Amount(quota, "used", name)}/{Amount(quota, "hard", name)}"));

    private static string Amount(JsonObject quota, string list, string name) =>
        ExactQuantity.TryParse(JsonFields.String(quota, "status", list, name), out var amount) ? amount.ToString() : "0";
}
