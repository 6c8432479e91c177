using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of admissionregistration.k8s.io kinds as pkg/printers/internalversion prints them:
/// webhook configurations show NAME, WEBHOOKS (their count) and AGE.
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
}
