using MiniKube.ApiServer.Selectors;

namespace MiniKube.ApiServer.Tables;

/// <summary>
/// Rows of Ingress, IngressClass, NetworkPolicy, HorizontalPodAutoscaler (stored autoscaling/v2
/// form), PodTemplate, RuntimeClass, PriorityClass, RoleBinding and ClusterRoleBinding, CSIDriver, CSINode, VolumeAttachment and
/// CertificateSigningRequest, following their print functions in kubernetes
/// pkg/printers/internalversion/printers.go of v1.32.
/// </summary>
internal static class GroupPrinters
{
    public static TablePrinter Ingress { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Class", "The name of the IngressClass resource that should be used for additional configuration",
                ing => Cells.OrElse(JsonFields.String(ing, "spec", "ingressClassName"), Cells.None)),
            TableCell.Text("Hosts", "Hosts that incoming requests are matched against before the ingress rule", Hosts),
            TableCell.Text("Address", "Address is a list containing ingress points for the load-balancer",
                ing => string.Join(",", JsonFields.Objects(ing, "status", "loadBalancer", "ingress")
                    .Select(i => JsonFields.String(i, "ip") is { Length: > 0 } ip ? ip : JsonFields.Text(i, "hostname"))
                    .Where(a => a.Length > 0))),
            TableCell.Text("Ports", "Ports of TLS configurations that open", ing => JsonFields.Count(ing, "spec", "tls") > 0 ? "80, 443" : "80"),
            TableCell.Age,
        ]);

    public static TablePrinter IngressClass { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Controller", "Controller that is responsible for handling this class", ic => JsonFields.Text(ic, "spec", "controller")),
            TableCell.Text("Parameters", "A reference to a resource with additional parameters", ClassParameters),
            TableCell.Age,
        ]);

    public static TablePrinter NetworkPolicy { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Pod-Selector", "Select the pods to which this policy applies", np => Cells.Selector(JsonFields.Get(np, "spec", "podSelector"))),
            TableCell.Age,
        ]);

    public static TablePrinter HorizontalPodAutoscaler { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Reference", "Reference to the target resource that this autoscaler manages",
                hpa => JsonFields.Text(hpa, "spec", "scaleTargetRef", "kind") + "/" + JsonFields.Text(hpa, "spec", "scaleTargetRef", "name")),
            TableCell.Text("Targets", "Current and target value of the metrics this autoscaler uses", Metrics),
            TableCell.Text("MinPods", "The lower limit for the number of pods that can be set by the autoscaler",
                hpa => JsonFields.Integer(hpa, "spec", "minReplicas") is { } min ? min.ToString(CultureInfo.InvariantCulture) : Cells.Unset),
            TableCell.Integer("MaxPods", "The upper limit for the number of pods that can be set by the autoscaler", hpa => JsonFields.Integer(hpa, "spec", "maxReplicas") ?? 0),
            TableCell.Integer("Replicas", "Current number of replicas of pods managed by this autoscaler", hpa => JsonFields.Integer(hpa, "status", "currentReplicas") ?? 0),
            TableCell.Age,
        ]);

    public static TablePrinter PodTemplate { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Containers", "Names of each container in the template.", pt => Cells.ContainerNames(JsonFields.Get(pt, "template", "spec"))),
            TableCell.Text("Images", "Images referenced by each container in the template.", pt => Cells.ContainerImages(JsonFields.Get(pt, "template", "spec"))),
            TableCell.Text("Pod Labels", "The labels for the pod template.", pt => Cells.Labels(JsonFields.Get(pt, "template", "metadata", "labels"))),
        ]);

    public static TablePrinter RuntimeClass { get; } = new(
        [TableCell.Name, TableCell.Text("Handler", "The name of the underlying runtime handler", rc => JsonFields.Text(rc, "handler")), TableCell.Age]);

    // printPriorityClass: the value as an integer and globalDefault as a boolean cell, the policy last.
    public static TablePrinter PriorityClass { get; } = new(
        [
            TableCell.Name,
            TableCell.Integer("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.",
                pc => JsonFields.Integer(pc, "value") ?? 0),
            TableCell.Boolean("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.",
                pc => JsonFields.Boolean(pc, "globalDefault") ?? false),
            TableCell.Age,
            TableCell.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.",
                pc => JsonFields.Text(pc, "preemptionPolicy")),
        ]);

    // printRoleBinding / printClusterRoleBinding: ROLE is kind/name; the wide columns list the
    // subjects by kind as rbac.SubjectsStrings does (service accounts as namespace/name).
    public static TablePrinter RoleBinding { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Role", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable."),
            TableColumn.Age,
            TableColumn.Text("Users", "Users in the roleBinding", priority: 1),
            TableColumn.Text("Groups", "Groups in the roleBinding", priority: 1),
            TableColumn.Text("ServiceAccounts", "ServiceAccounts in the roleBinding", priority: 1),
        ],
        (binding, now) =>
        [
            Cells.Name(binding),
            JsonFields.Text(binding, "roleRef", "kind") + "/" + JsonFields.Text(binding, "roleRef", "name"),
            Cells.Age(binding, now),
            Subjects(binding, "User"),
            Subjects(binding, "Group"),
            Subjects(binding, "ServiceAccount"),
        ]);

    private static string Subjects(JsonObject binding, string kind) => string.Join(", ", JsonFields.Objects(binding, "subjects")
        .Where(s => JsonFields.Text(s, "kind") == kind)
        .Select(s => kind == "ServiceAccount" ? JsonFields.Text(s, "namespace") + "/" + JsonFields.Text(s, "name") : JsonFields.Text(s, "name")));

    public static TablePrinter CsiDriver { get; } = new(
        [
            TableCell.Name,
            DriverFlag("AttachRequired", "Indicates this CSI volume driver requires an attach operation", "attachRequired"),
            DriverFlag("PodInfoOnMount", "Indicates this CSI volume driver requires additional pod information during mount operations", "podInfoOnMount"),
            DriverFlag("StorageCapacity", "Indicates this CSI volume driver wants pod scheduling to consider storage capacity", "storageCapacity"),
            TableCell.Text("TokenRequests", "Indicates the CSIDriver wants the pod's service account tokens",
                driver => Cells.JoinedOr(JsonFields.Objects(driver, "spec", "tokenRequests").Select(t => JsonFields.Text(t, "audience")), Cells.Unset)),
            DriverFlag("RequiresRepublish", "Indicates the CSI volume driver requires NodePublishVolume to be called periodically", "requiresRepublish"),
            TableCell.Text("Modes", "Indicates the volume lifecycle modes supported by this CSI volume driver",
                driver => Cells.JoinedOr((JsonFields.Array(driver, "spec", "volumeLifecycleModes") ?? []).Select(m => m?.ToString() ?? ""), Cells.None)),
            TableCell.Age,
        ]);

    public static TablePrinter CsiNode { get; } = new(
        [TableCell.Name, TableCell.Integer("Drivers", "Drivers indicates the number of CSI drivers registered on the node", node => JsonFields.Count(node, "spec", "drivers")), TableCell.Age]);

    public static TablePrinter VolumeAttachment { get; } = new(
        [
            TableCell.Name,
            TableCell.Text("Attacher", "Attacher indicates the name of the volume driver that MUST handle this request.", va => JsonFields.Text(va, "spec", "attacher")),
            TableCell.Text("PV", "Name of the persistent volume to attach", va => JsonFields.Text(va, "spec", "source", "persistentVolumeName")),
            TableCell.Text("Node", "The node that the volume should be attached to", va => JsonFields.Text(va, "spec", "nodeName")),
            TableCell.Boolean("Attached", "Attached indicates the volume is successfully attached.", va => JsonFields.Boolean(va, "status", "attached") ?? false),
            TableCell.Age,
        ]);

    public static TablePrinter CertificateSigningRequest { get; } = new(
        [
            TableCell.Name,
            TableCell.Age,
            TableCell.Text("SignerName", "The name of the signer that will sign the certificate", csr => JsonFields.Text(csr, "spec", "signerName")),
            TableCell.Text("Requestor", "The user who requested the certificate", csr => JsonFields.Text(csr, "spec", "username")),
            TableCell.Text("RequestedDuration", "The requested duration of the certificate",
                csr => JsonFields.Integer(csr, "spec", "expirationSeconds") is { } seconds ? HumanDuration.Format(TimeSpan.FromSeconds(seconds)) : Cells.None),
            TableCell.Text("Condition", "The approval, denial, failure and issuance state of the request", CsrCondition),
        ]);

    // printCSIDriver's optional booleans: True, False or <unset>.
    private static TableCell DriverFlag(string name, string description, string field) =>
        TableCell.Text(name, description, driver => Cells.OptionalBool(JsonFields.Boolean(driver, "spec", field)));

    // kind[.apiGroup]/name of spec.parameters, or <none>.
    private static string ClassParameters(JsonObject ic)
    {
        if (JsonFields.Object(ic, "spec", "parameters") is not { } p)
        {
            return Cells.None;
        }
        var parameters = JsonFields.Text(p, "kind");
        if (JsonFields.String(p, "apiGroup") is { } group)
        {
            parameters += "." + group;
        }
        return parameters + "/" + JsonFields.Text(p, "name");
    }

    /// <summary>formatHosts: up to three rule hosts, "*" when no rule names one.</summary>
    private static string Hosts(JsonObject ing)
    {
        var rules = JsonFields.Objects(ing, "spec", "rules").ToList();
        var hosts = new List<string>();
        var more = false;
        foreach (var rule in rules)
        {
            if (hosts.Count == Cells.Listed)
            {
                more = true;
            }
            if (!more && JsonFields.String(rule, "host") is { Length: > 0 } host)
            {
                hosts.Add(host);
            }
        }
        if (hosts.Count == 0)
        {
            return "*";
        }
        var text = string.Join(",", hosts);
        return more ? string.Create(CultureInfo.InvariantCulture, $"{text} + {rules.Count - Cells.Listed} more...") : text;
    }

    /// <summary>formatHPAMetrics: "current/target" per metric (with the resource name for resource metrics), three at most.</summary>
    private static string Metrics(JsonObject hpa)
    {
        var specs = JsonFields.Objects(hpa, "spec", "metrics").ToList();
        if (specs.Count == 0)
        {
            return Cells.None;
        }
        var statuses = JsonFields.Objects(hpa, "status", "currentMetrics").ToList();
        var list = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var status = i < statuses.Count ? statuses[i] : null;
            var type = JsonFields.Text(spec, "type");
            var field = type switch
            {
                "External" => "external",
                "Pods" => "pods",
                "Object" => "object",
                "Resource" => "resource",
                "ContainerResource" => "containerResource",
                _ => null,
            };
            if (field is null)
            {
                list.Add(HumanDuration.Unknown);
                continue;
            }
            var target = JsonFields.Object(spec, field, "target");
            var current = JsonFields.Object(status, field, "current");
            switch (field)
            {
                case "resource" or "containerResource":
                    var name = JsonFields.Text(spec, field, "name");
                    if (JsonFields.String(target, "averageValue") is { } averageValue)
                    {
                        list.Add($"{name}: {JsonFields.String(current, "averageValue") ?? HumanDuration.Unknown}/{averageValue}");
                    }
                    else
                    {
                        var now = JsonFields.Integer(current, "averageUtilization") is { } u ? $"{u}%" : HumanDuration.Unknown;
                        var goal = JsonFields.Integer(target, "averageUtilization") is { } g ? $"{g}%" : "<auto>";
                        list.Add($"{name}: {now}/{goal}");
                    }
                    break;
                case "pods":
                    list.Add($"{JsonFields.String(current, "averageValue") ?? HumanDuration.Unknown}/{JsonFields.Text(target, "averageValue")}");
                    break;
                default:
                    if (JsonFields.String(target, "averageValue") is { } average)
                    {
                        list.Add($"{JsonFields.String(current, "averageValue") ?? HumanDuration.Unknown}/{average} (avg)");
                    }
                    else
                    {
                        list.Add($"{JsonFields.String(current, "value") ?? HumanDuration.Unknown}/{JsonFields.Text(target, "value")}");
                    }
                    break;
            }
        }
        return Cells.FirstFew(list, list.Count, ", ");
    }

    /// <summary>extractCSRStatus: Denied over Approved over Pending, then ",Failed" and ",Issued".</summary>
    private static string CsrCondition(JsonObject csr)
    {
        var types = JsonFields.Objects(csr, "status", "conditions").Select(c => JsonFields.Text(c, "type")).ToHashSet(StringComparer.Ordinal);
        var status = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed"))
        {
            status += ",Failed";
        }
        if (JsonFields.String(csr, "status", "certificate") is { Length: > 0 })
        {
            status += ",Issued";
        }
        return status;
    }
}
