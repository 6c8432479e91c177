using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Admission;

/// <summary>
/// Scheme defaults of the kinds of networking.k8s.io, autoscaling, node.k8s.io, storage.k8s.io
/// CSI kinds and certificates.k8s.io (each group's v1 or v2 defaults.go).
/// </summary>
internal static class GroupDefaults
{
    /// <summary>pkg/apis/networking/v1/defaults.go: port protocol TCP and the policy types the rules imply.</summary>
    public static void NetworkPolicy(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        foreach (var rule in new[] { "ingress", "egress" })
        {
            foreach (var (_, item) in spec.Items(rule))
            {
                foreach (var (_, port) in item.Items("ports"))
                {
                    port.DefaultString("protocol", "TCP");
                }
            }
        }
        if (spec.Arr("policyTypes") is not { Count: > 0 })
        {
            var types = new JsonArray("Ingress");
            if (spec.Arr("egress") is { Count: > 0 })
            {
                types.Add("Egress");
            }
            spec["policyTypes"] = types;
        }
    }

    /// <summary>IngressClass parameters without a scope are cluster-scoped.</summary>
    public static void IngressClass(JsonObject obj)
    {
        if (obj.Obj("spec").Obj("parameters") is { } parameters)
        {
            parameters.DefaultString("scope", "Cluster");
        }
    }

    /// <summary>pkg/apis/autoscaling/v2/defaults.go: one replica at least, 80% CPU without metrics, behavior rules filled in.</summary>
    public static void HorizontalPodAutoscaler(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.Default("minReplicas", 1);
        if (spec.Arr("metrics") is not { Count: > 0 })
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = Conversion.HorizontalPodAutoscalerConversion.DefaultCpuUtilization },
                },
            });
        }
        if (spec.Obj("behavior") is { } behavior)
        {
            FillRules(behavior.Ensure("scaleUp"), stabilization: 0, [("Pods", 4, 15), ("Percent", 100, 15)]);
            FillRules(behavior.Ensure("scaleDown"), stabilization: null, [("Percent", 100, 15)]);
        }
    }

    // GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: only what the user left out.
    private static void FillRules(JsonObject rules, int? stabilization, (string Type, int Value, int Period)[] policies)
    {
        if (stabilization is { } window)
        {
            rules.Default("stabilizationWindowSeconds", window);
        }
        rules.DefaultString("selectPolicy", "Max");
        if (rules["policies"] is null)
        {
            rules["policies"] = new JsonArray(policies.Select(p => (JsonNode?)new JsonObject
            {
                ["type"] = p.Type,
                ["value"] = p.Value,
                ["periodSeconds"] = p.Period,
            }).ToArray());
        }
    }

    /// <summary>pkg/apis/storage/v1/defaults.go for CSIDriver (with SELinuxMount and the rest of v1.32's defaults).</summary>
    public static void CsiDriver(JsonObject obj)
    {
        var spec = obj.Ensure("spec");
        spec.Default("attachRequired", true);
        spec.Default("podInfoOnMount", false);
        spec.Default("storageCapacity", false);
        spec.DefaultString("fsGroupPolicy", "ReadWriteOnceWithFSType");
        spec.Default("requiresRepublish", false);
        spec.Default("seLinuxMount", false);
        if (spec.Arr("volumeLifecycleModes") is not { Count: > 0 })
        {
            spec["volumeLifecycleModes"] = new JsonArray("Persistent");
        }
    }

    /// <summary>pkg/apis/certificates/v1/defaults.go: a condition without a status is True.</summary>
    public static void CertificateSigningRequest(JsonObject obj)
    {
        foreach (var (_, condition) in obj.Obj("status").Items("conditions"))
        {
            condition.DefaultString("status", "True");
        }
    }
}
