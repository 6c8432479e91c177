using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of admissionregistration.k8s.io kinds as pkg/printers/internalversion prints them:
/// webhook configurations show NAME, WEBHOOKS (their count) and AGE; and of apiregistration.k8s.io
/// APIServices as kube-aggregator's registry/apiservice/etcd ConvertToTable: SERVICE is
/// "Local" or namespace/name, AVAILABLE the Available condition ("True", or "False (Reason)").
/// </summary>
internal static class AdmissionPrinters
{
    public static TablePrinter WebhookConfiguration { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration"),
            TableColumn.Age,
        ],
        (configuration, now) => [Cells.Name(configuration), (long)(JsonFields.Array(configuration, "webhooks")?.Count ?? 0), Cells.Age(configuration, now)]);

    public static TablePrinter ApiService { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Service", "The reference to the service that hosts this API endpoint."),
            TableColumn.Text("Available", "Whether this service is available."),
            TableColumn.Age,
        ],
        (apiService, now) => [Cells.Name(apiService), ServiceCell(apiService), AvailableCell(apiService), Cells.Age(apiService, now)]);

    private static string ServiceCell(JsonObject apiService) =>
        JsonFields.Object(apiService, "spec", "service") is { } service
            ? $"{JsonFields.Text(service, "namespace")}/{JsonFields.Text(service, "name")}"
            : "Local";

    private static string AvailableCell(JsonObject apiService)
    {
        var available = JsonFields.Array(apiService, "status", "conditions")?.OfType<JsonObject>()
            .FirstOrDefault(c => JsonFields.String(c, "type") == "Available");
        if (available is null)
        {
            return "Unknown";
        }
        var status = JsonFields.Text(available, "status");
        var reason = JsonFields.Text(available, "reason");
        return status == "True" || reason.Length == 0 ? status : $"{status} ({reason})";
    }
}
