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
    private const int Listed = 3;

    public static TablePrinter Ingress { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Class", "The name of the IngressClass resource that should be used for additional configuration"),
            TableColumn.Text("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            TableColumn.Text("Address", "Address is a list containing ingress points for the load-balancer"),
            TableColumn.Text("Ports", "Ports of TLS configurations that open"),
            TableColumn.Age,
        ],
        (ing, now) =>
        [
            Cells.Name(ing),
            Cells.OrElse(JsonFields.String(ing, "spec", "ingressClassName"), Cells.None),
            Hosts(ing),
            string.Join(",", JsonFields.Objects(ing, "status", "loadBalancer", "ingress")
                .Select(i => JsonFields.String(i, "ip") is { Length: > 0 } ip ? ip : JsonFields.Text(i, "hostname"))
                .Where(a => a.Length > 0)),
            JsonFields.Count(ing, "spec", "tls") > 0 ? "80, 443" : "80",
            Cells.Age(ing, now),
        ]);

    public static TablePrinter IngressClass { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Controller", "Controller that is responsible for handling this class"),
            TableColumn.Text("Parameters", "A reference to a resource with additional parameters"),
            TableColumn.Age,
        ],
        (ic, now) =>
        {
            var parameters = Cells.None;
            if (JsonFields.Object(ic, "spec", "parameters") is { } p)
            {
                parameters = JsonFields.Text(p, "kind");
                if (JsonFields.String(p, "apiGroup") is { } group)
                {
                    parameters += "." + group;
                }
                parameters += "/" + JsonFields.Text(p, "name");
            }
            return [Cells.Name(ic), JsonFields.Text(ic, "spec", "controller"), parameters, Cells.Age(ic, now)];
        });

    public static TablePrinter NetworkPolicy { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Pod-Selector", "Select the pods to which this policy applies"),
            TableColumn.Age,
        ],
        (np, now) => [Cells.Name(np), Cells.Selector(JsonFields.Get(np, "spec", "podSelector")), Cells.Age(np, now)]);

    public static TablePrinter HorizontalPodAutoscaler { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Reference", "Reference to the target resource that this autoscaler manages"),
            TableColumn.Text("Targets", "Current and target value of the metrics this autoscaler uses"),
            TableColumn.Text("MinPods", "The lower limit for the number of pods that can be set by the autoscaler"),
            TableColumn.Integer("MaxPods", "The upper limit for the number of pods that can be set by the autoscaler"),
            TableColumn.Integer("Replicas", "Current number of replicas of pods managed by this autoscaler"),
            TableColumn.Age,
        ],
        (hpa, now) =>
        [
            Cells.Name(hpa),
            JsonFields.Text(hpa, "spec", "scaleTargetRef", "kind") + "/" + JsonFields.Text(hpa, "spec", "scaleTargetRef", "name"),
            Metrics(hpa),
            JsonFields.Integer(hpa, "spec", "minReplicas") is { } min ? min.ToString(CultureInfo.InvariantCulture) : Cells.Unset,
            JsonFields.Integer(hpa, "spec", "maxReplicas") ?? 0,
            JsonFields.Integer(hpa, "status", "currentReplicas") ?? 0,
            Cells.Age(hpa, now),
        ]);

    public static TablePrinter PodTemplate { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Containers", "Names of each container in the template."),
            TableColumn.Text("Images", "Images referenced by each container in the template."),
            TableColumn.Text("Pod Labels", "The labels for the pod template."),
        ],
        (pt, _) =>
        {
            var (names, images) = Cells.Containers(JsonFields.Get(pt, "template", "spec"));
            return [Cells.Name(pt), names, images, Cells.Labels(JsonFields.Get(pt, "template", "metadata", "labels"))];
        });

    public static TablePrinter RuntimeClass { get; } = new(
        [TableColumn.ObjectName, TableColumn.Text("Handler", "The name of the underlying runtime handler"), TableColumn.Age],
        (rc, now) => [Cells.Name(rc), JsonFields.Text(rc, "handler"), Cells.Age(rc, now)]);

    // printPriorityClass: the value as an integer and globalDefault as a boolean cell, the policy last.
    public static TablePrinter PriorityClass { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Integer("Value", "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec."),
            new TableColumn("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority."),
            TableColumn.Age,
            TableColumn.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset."),
        ],
        (pc, now) =>
        [
            Cells.Name(pc),
            JsonFields.Integer(pc, "value") ?? 0,
            JsonFields.Boolean(pc, "globalDefault") ?? false,
            Cells.Age(pc, now),
            JsonFields.Text(pc, "preemptionPolicy"),
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
            TableColumn.ObjectName,
            TableColumn.Text("AttachRequired", "Indicates this CSI volume driver requires an attach operation"),
            TableColumn.Text("PodInfoOnMount", "Indicates this CSI volume driver requires additional pod information during mount operations"),
            TableColumn.Text("StorageCapacity", "Indicates this CSI volume driver wants pod scheduling to consider storage capacity"),
            TableColumn.Text("TokenRequests", "Indicates the CSIDriver wants the pod's service account tokens"),
            TableColumn.Text("RequiresRepublish", "Indicates the CSI volume driver requires NodePublishVolume to be called periodically"),
            TableColumn.Text("Modes", "Indicates the volume lifecycle modes supported by this CSI volume driver"),
            TableColumn.Age,
        ],
        (driver, now) =>
        {
            var audiences = JsonFields.Objects(driver, "spec", "tokenRequests").Select(t => JsonFields.Text(t, "audience")).ToList();
            var modes = (JsonFields.Array(driver, "spec", "volumeLifecycleModes") ?? []).Select(m => m?.ToString() ?? "").ToList();
            return
            [
                Cells.Name(driver),
                Cells.OptionalBool(JsonFields.Boolean(driver, "spec", "attachRequired")),
                Cells.OptionalBool(JsonFields.Boolean(driver, "spec", "podInfoOnMount")),
                Cells.OptionalBool(JsonFields.Boolean(driver, "spec", "storageCapacity")),
                audiences.Count > 0 ? string.Join(",", audiences) : Cells.Unset,
                Cells.OptionalBool(JsonFields.Boolean(driver, "spec", "requiresRepublish")),
                modes.Count > 0 ? string.Join(",", modes) : Cells.None,
                Cells.Age(driver, now),
            ];
        });

    public static TablePrinter CsiNode { get; } = new(
        [TableColumn.ObjectName, TableColumn.Integer("Drivers", "Drivers indicates the number of CSI drivers registered on the node"), TableColumn.Age],
        (node, now) => [Cells.Name(node), JsonFields.Count(node, "spec", "drivers"), Cells.Age(node, now)]);

    public static TablePrinter VolumeAttachment { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Text("Attacher", "Attacher indicates the name of the volume driver that MUST handle this request."),
            TableColumn.Text("PV", "Name of the persistent volume to attach"),
            TableColumn.Text("Node", "The node that the volume should be attached to"),
            new TableColumn("Attached", "boolean", "Attached indicates the volume is successfully attached."),
            TableColumn.Age,
        ],
        (va, now) =>
        [
            Cells.Name(va),
            JsonFields.Text(va, "spec", "attacher"),
            JsonFields.Text(va, "spec", "source", "persistentVolumeName"),
            JsonFields.Text(va, "spec", "nodeName"),
            JsonFields.Boolean(va, "status", "attached") ?? false,
            Cells.Age(va, now),
        ]);

    public static TablePrinter CertificateSigningRequest { get; } = new(
        [
            TableColumn.ObjectName,
            TableColumn.Age,
            TableColumn.Text("SignerName", "The name of the signer that will sign the certificate"),
            TableColumn.Text("Requestor", "The user who requested the certificate"),
            TableColumn.Text("RequestedDuration", "The requested duration of the certificate"),
            TableColumn.Text("Condition", "The approval, denial, failure and issuance state of the request"),
        ],
        (csr, now) =>
        [
            Cells.Name(csr),
            Cells.Age(csr, now),
            JsonFields.Text(csr, "spec", "signerName"),
            JsonFields.Text(csr, "spec", "username"),
            JsonFields.Integer(csr, "spec", "expirationSeconds") is { } seconds ? HumanDuration.Format(TimeSpan.FromSeconds(seconds)) : Cells.None,
            CsrCondition(csr),
        ]);

    /// <summary>formatHosts: up to three rule hosts, "*" when no rule names one.</summary>
    private static string Hosts(JsonObject ing)
    {
        var rules = JsonFields.Objects(ing, "spec", "rules").ToList();
        var hosts = new List<string>();
        var more = false;
        foreach (var rule in rules)
        {
            if (hosts.Count == Listed)
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
        return more ? string.Create(CultureInfo.InvariantCulture, $"{text} + {rules.Count - Listed} more...") : text;
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
        var text = string.Join(", ", list.Take(Listed));
        return list.Count > Listed ? string.Create(CultureInfo.InvariantCulture, $"{text} + {list.Count - Listed} more...") : text;
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
