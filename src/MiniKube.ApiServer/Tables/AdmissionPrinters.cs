using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of admissionregistration.k8s.io kinds as pkg/printers/internalversion prints them:
/// webhook configurations show NAME, WEBHOOKS (their count) and AGE; policies NAME, VALIDATIONS,
/// PARAMKIND (apiVersion/kind or &lt;unset&gt;) and AGE; bindings NAME, POLICYNAME, PARAMREF and AGE; and of apiregistration.k8s.io
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

    public static TablePrinter ValidatingAdmissionPolicy { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Validations", "Validations indicates the number of validation rules defined in this configuration"),
            TableColumn.Text("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy"),
            TableColumn.Age,
        ],
        (policy, now) => [Cells.Name(policy), (long)(JsonFields.Array(policy, "spec", "validations")?.Count ?? 0), ParamKindCell(policy), Cells.Age(policy, now)]);

    public static TablePrinter ValidatingAdmissionPolicyBinding { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to"),
            TableColumn.Text("ParamRef", "ParamRef indicates the param resource which sets the configration param"),
            TableColumn.Age,
        ],
        (binding, now) => [Cells.Name(binding), JsonFields.Text(binding, "spec", "policyName"), ParamRefCell(binding), Cells.Age(binding, now)]);

    public static TablePrinter ApiService { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Service", "The reference to the service that hosts this API endpoint."),
            TableColumn.Text("Available", "Whether this service is available."),
            TableColumn.Age,
        ],
        (apiService, now) => [Cells.Name(apiService), ServiceCell(apiService), AvailableCell(apiService), Cells.Age(apiService, now)]);

    private static string ParamKindCell(JsonObject policy) =>
        JsonFields.Object(policy, "spec", "paramKind") is { } kind
            ? $"{JsonFields.Text(kind, "apiVersion")}/{JsonFields.Text(kind, "kind")}"
            : "<unset>";

    // A name without a namespace shows "*/": the printer cannot tell whether the param kind is namespaced.
    private static string ParamRefCell(JsonObject binding)
    {
        if (JsonFields.Object(binding, "spec", "paramRef") is not { } paramRef)
        {
            return "<unset>";
        }
        var name = JsonFields.Text(paramRef, "name");
        if (name.Length > 0)
        {
            var ns = JsonFields.Text(paramRef, "namespace");
            return (ns.Length > 0 ? ns : "*") + "/" + name;
        }
        // Upstream prints the selector's Go struct dump here; the selector string is what a reader can use.
        return JsonFields.Object(paramRef, "selector") is { } selector ? Cells.Selector(selector) : "<unset>";
    }

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
