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
            TableCell.Name,
            TableCell.Integer("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration", configuration => JsonFields.Array(configuration, "webhooks")?.Count ?? 0),
            TableCell.Age,
        ]);

    public static TablePrinter ValidatingAdmissionPolicy { get; } = new(
        [
            TableCell.Name,
            TableCell.Integer("Validations", "Validations indicates the number of validation rules defined in this configuration", policy => JsonFields.Array(policy, "spec", "validations")?.Count ?? 0),
            TableCell.Text("ParamKind", "ParamKind specifies the kind of resources used to parameterize this policy", ParamKindCell),
            TableCell.Age,
        ]);

    public static TablePrinter ValidatingAdmissionPolicyBinding { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("PolicyName", "PolicyName indicates the policy definition which the policy binding binded to", binding => JsonFields.Text(binding, "spec", "policyName")),
            TableCell.Text("ParamRef", "ParamRef indicates the param resource which sets the configration param", ParamRefCell),
            TableCell.Age,
        ]);

    public static TablePrinter ApiService { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Service", "The reference to the service that hosts this API endpoint.", ServiceCell),
            TableCell.Text("Available", "Whether this service is available.", AvailableCell),
            TableCell.Age,
        ]);

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
