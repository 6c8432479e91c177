using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// The node row of <c>kubectl get nodes</c>: STATUS from the Ready condition plus
/// SchedulingDisabled for a cordoned node, ROLES from the node-role labels, VERSION from the
/// kubelet (printNode in kubernetes pkg/printers/internalversion/printers.go).
/// </summary>
internal static class NodePrinter
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";
    private const string LegacyRoleLabel = "kubernetes.io/role";

    public static TablePrinter Printer { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Status", "The status of the node", Status),
            TableCell.Text("Roles", "The roles of the node", Roles),
            TableCell.Age,
            TableCell.Text("Version", "Kubelet version reported by the node.", node => JsonFields.Text(node, "status", "nodeInfo", "kubeletVersion")),
            TableCell.Text("Internal-IP", "The node's first internal address.", node => Address(node, "InternalIP"), 1),
            TableCell.Text("External-IP", "The node's first external address.", node => Address(node, "ExternalIP"), 1),
            NodeInfo("OS-Image", "OS image reported by the node.", "osImage"),
            NodeInfo("Kernel-Version", "Kernel version reported by the node.", "kernelVersion"),
            NodeInfo("Container-Runtime", "Container runtime version reported by the node.", "containerRuntimeVersion"),
        ]);

    // A wide column from status.nodeInfo, <unknown> when the kubelet has not reported it.
    private static TableCell NodeInfo(string name, string description, string field) =>
        TableCell.Text(name, description, node => Cells.OrElse(JsonFields.String(node, "status", "nodeInfo", field), HumanDuration.Unknown), 1);

    private static string Status(JsonObject node)
    {
        // Upstream keeps the last Ready condition when the list repeats a type.
        var ready = JsonFields.Objects(node, "status", "conditions").LastOrDefault(c => JsonFields.Text(c, "type") == "Ready");
        var status = ready is null ? "Unknown" : JsonFields.Text(ready, "status") == "True" ? "Ready" : "NotReady";
        return JsonFields.Boolean(node, "spec", "unschedulable") == true ? status + ",SchedulingDisabled" : status;
    }

    private static string Roles(JsonObject node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in JsonFields.StringMap(node, "metadata", "labels"))
        {
            if (key.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && key.Length > RoleLabelPrefix.Length)
            {
                roles.Add(key[RoleLabelPrefix.Length..]);
            }
            else if (key == LegacyRoleLabel && value.Length > 0)
            {
                roles.Add(value);
            }
        }

        return roles.Count == 0 ? Cells.None : string.Join(",", roles);
    }

    private static string Address(JsonObject node, string type) =>
        JsonFields.Objects(node, "status", "addresses").FirstOrDefault(a => JsonFields.Text(a, "type") == type) is { } address
            ? JsonFields.Text(address, "address")
            : Cells.None;
}
