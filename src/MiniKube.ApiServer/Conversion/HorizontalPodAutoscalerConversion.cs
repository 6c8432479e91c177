using MiniKube.ApiServer.Objects;

namespace MiniKube.ApiServer.Conversion;

/// <summary>
/// autoscaling/v1 HorizontalPodAutoscalers over the stored autoscaling/v2 ones, as upstream's
/// pkg/apis/autoscaling/v1/conversion.go does it. v1 knows only a CPU utilization target, so
/// what v2 says beyond it travels in annotations on the v1 form and comes back from them on a v1
/// write: the other metrics (<see cref="MetricsAnnotation"/>, in v1's hidden v2beta1-style
/// MetricSpec shape), the current metrics, the conditions, and the behavior (which upstream
/// marshals from its internal type, so with Go field names). A v2 object never carries them.
/// </summary>
public static class HorizontalPodAutoscalerConversion
{
    public const string V1 = "autoscaling/v1";
    public const string V2 = "autoscaling/v2";
    public const string MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
    public const string CurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
    public const string BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";
    public const string ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";

    /// <summary>autoscaling/v1 had an implicit CPU target of 80% (DefaultCPUUtilization).</summary>
    public const int DefaultCpuUtilization = 80;

    private static readonly string[] RoundTripAnnotations = [MetricsAnnotation, CurrentMetricsAnnotation, BehaviorAnnotation, ConditionsAnnotation];

    /// <summary>A v2 object as v1; other objects are returned unchanged.</summary>
    public static JsonObject ToV1(JsonObject v2)
    {
        ArgumentNullException.ThrowIfNull(v2);
        if (v2.Str("apiVersion") != V2)
        {
            return v2;
        }
        var v1 = new JsonObject { ["apiVersion"] = V1, ["kind"] = v2["kind"]?.DeepClone() };
        var metadata = v2.Obj("metadata")?.DeepClone().AsObject() ?? [];
        DropRoundTripAnnotations(metadata);
        v1["metadata"] = metadata;
        var spec = v2.Obj("spec");
        var status = v2.Obj("status");
        var v1Spec = new JsonObject();
        CopyIf(spec, v1Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
        var others = new JsonArray();
        foreach (var (_, metric) in spec.Items("metrics"))
        {
            if (IsCpuUtilization(metric, "target", out var utilization))
            {
                v1Spec["targetCPUUtilizationPercentage"] ??= utilization;
                continue;
            }
            others.Add(MetricSpecToV1(metric));
        }
        v1["spec"] = v1Spec;
        if (status is not null)
        {
            var v1Status = new JsonObject();
            CopyIf(status, v1Status, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
            foreach (var (_, metric) in status.Items("currentMetrics"))
            {
                if (IsCpuUtilization(metric, "current", out var utilization))
                {
                    v1Status["currentCPUUtilizationPercentage"] = utilization;
                }
            }
            v1["status"] = v1Status;
        }
        var annotations = new List<(string, string)>();
        if (others.Count > 0)
        {
            annotations.Add((MetricsAnnotation, Json(others)));
        }
        if (status.Arr("currentMetrics") is { Count: > 0 } current)
        {
            annotations.Add((CurrentMetricsAnnotation, Json(new JsonArray(current.Select(m => (JsonNode?)MetricStatusToV1(m as JsonObject)).ToArray()))));
        }
        if (spec.Obj("behavior") is { } behavior)
        {
            annotations.Add((BehaviorAnnotation, Json(GoBehavior(behavior))));
        }
        if (status.Arr("conditions") is { Count: > 0 } conditions)
        {
            annotations.Add((ConditionsAnnotation, Json(conditions.DeepClone())));
        }
        if (annotations.Count > 0)
        {
            var map = metadata.Ensure("annotations");
            foreach (var (key, value) in annotations)
            {
                map[key] = value;
            }
        }
        return v1;
    }

    /// <summary>A v1 object as v2; other objects are returned unchanged.</summary>
    public static JsonObject ToV2(JsonObject v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        if (v1.Str("apiVersion") != V1)
        {
            return v1;
        }
        var v2 = new JsonObject { ["apiVersion"] = V2, ["kind"] = v1["kind"]?.DeepClone() };
        var metadata = v1.Obj("metadata")?.DeepClone().AsObject() ?? [];
        var annotations = metadata.Obj("annotations");
        v2["metadata"] = metadata;
        var spec = v1.Obj("spec");
        var v2Spec = new JsonObject();
        CopyIf(spec, v2Spec, "scaleTargetRef", "minReplicas", "maxReplicas");
        var metrics = new JsonArray();
        if (Parse(annotations, MetricsAnnotation) is JsonArray others)
        {
            foreach (var metric in others.OfType<JsonObject>())
            {
                metrics.Add(MetricSpecToV2(metric));
            }
        }
        var cpu = spec.Int("targetCPUUtilizationPercentage");
        if (cpu is not null || metrics.Count == 0)
        {
            metrics.Add(CpuMetric("target", cpu ?? DefaultCpuUtilization, "Utilization"));
        }
        v2Spec["metrics"] = metrics;
        if (Parse(annotations, BehaviorAnnotation) is JsonObject behavior && behavior.Count > 0 && FromGoBehavior(behavior) is { Count: > 0 } converted)
        {
            v2Spec["behavior"] = converted;
        }
        v2["spec"] = v2Spec;
        var status = v1.Obj("status");
        if (status is not null || Parse(annotations, CurrentMetricsAnnotation) is not null)
        {
            var v2Status = new JsonObject();
            CopyIf(status, v2Status, "observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas");
            if (Parse(annotations, CurrentMetricsAnnotation) is JsonArray current)
            {
                v2Status["currentMetrics"] = new JsonArray(current.OfType<JsonObject>().Select(m => (JsonNode?)MetricStatusToV2(m)).ToArray());
            }
            else if (status.Int("currentCPUUtilizationPercentage") is { } utilization)
            {
                v2Status["currentMetrics"] = new JsonArray(CpuMetric("current", utilization, null));
            }
            if (Parse(annotations, ConditionsAnnotation) is JsonArray conditions)
            {
                v2Status["conditions"] = conditions.DeepClone();
            }
            // v2 requires desiredReplicas on the wire; an empty status from a v1 create stays as v1 sent it.
            v2["status"] = v2Status;
        }
        DropRoundTripAnnotations(metadata);
        return v2;
    }

    private static void DropRoundTripAnnotations(JsonObject metadata)
    {
        if (metadata.Obj("annotations") is not { } annotations)
        {
            return;
        }
        foreach (var key in RoundTripAnnotations)
        {
            annotations.Remove(key);
        }
        if (annotations.Count == 0)
        {
            metadata.Remove("annotations");
        }
    }

    private static bool IsCpuUtilization(JsonObject metric, string valueField, out long utilization)
    {
        utilization = 0;
        if (metric.Str("type") != "Resource" || metric.Obj("resource") is not { } resource || resource.Str("name") != "cpu")
        {
            return false;
        }
        if (resource.Obj(valueField).Int("averageUtilization") is { } value)
        {
            utilization = value;
            return true;
        }
        return false;
    }

    private static JsonObject CpuMetric(string valueField, long utilization, string? targetType)
    {
        var value = new JsonObject();
        if (targetType is not null)
        {
            value["type"] = targetType;
        }
        value["averageUtilization"] = utilization;
        return new JsonObject { ["type"] = "Resource", ["resource"] = new JsonObject { ["name"] = "cpu", [valueField] = value } };
    }

    // v2 MetricSpec → v1's hidden MetricSpec (v2beta1 field names).
    private static JsonObject MetricSpecToV1(JsonObject metric) => MetricToV1(metric, "target", zeroQuantities: false);

    private static JsonObject MetricStatusToV1(JsonObject? metric) => MetricToV1(metric, "current", zeroQuantities: true);

    /// <summary>
    /// One v2 metric (spec or status) in v1's v2beta1-style shape: the fields of
    /// <paramref name="valueField"/> ("target" or "current") become targetAverageUtilization,
    /// targetAverageValue and targetValue (or current…). Status quantities are
    /// Go values, written as "0" when unset; spec ones are pointers, left out.
    /// </summary>
    private static JsonObject MetricToV1(JsonObject? metric, string valueField, bool zeroQuantities)
    {
        var prefix = valueField;
        JsonNode? Quantity(JsonObject? values, string name) => values?[name]?.DeepClone() ?? (zeroQuantities ? "0" : null);
        var result = new JsonObject { ["type"] = metric.Str("type") };
        foreach (var field in new[] { "resource", "containerResource" })
        {
            if (metric.Obj(field) is { } resource)
            {
                var values = resource.Obj(valueField);
                result[field] = Compact(new JsonObject
                {
                    ["name"] = resource.Str("name"),
                    [prefix + "AverageUtilization"] = values.Int("averageUtilization"),
                    [prefix + "AverageValue"] = Quantity(values, "averageValue"),
                    ["container"] = resource.Str("container"),
                });
            }
        }
        if (metric.Obj("pods") is { } pods)
        {
            result["pods"] = Compact(new JsonObject
            {
                ["metricName"] = pods.Obj("metric").Str("name"),
                [prefix + "AverageValue"] = pods.Obj(valueField)?["averageValue"]?.DeepClone() ?? "0",
                ["selector"] = pods.Obj("metric")?["selector"]?.DeepClone(),
            });
        }
        if (metric.Obj("object") is { } obj)
        {
            result["object"] = Compact(new JsonObject
            {
                ["target"] = obj["describedObject"]?.DeepClone(),
                ["metricName"] = obj.Obj("metric").Str("name"),
                [prefix + "Value"] = obj.Obj(valueField)?["value"]?.DeepClone() ?? "0",
                ["selector"] = obj.Obj("metric")?["selector"]?.DeepClone(),
                ["averageValue"] = obj.Obj(valueField)?["averageValue"]?.DeepClone(),
            });
        }
        if (metric.Obj("external") is { } external)
        {
            result["external"] = Compact(new JsonObject
            {
                ["metricName"] = external.Obj("metric").Str("name"),
                ["metricSelector"] = external.Obj("metric")?["selector"]?.DeepClone(),
                [prefix + "Value"] = Quantity(external.Obj(valueField), "value"),
                [prefix + "AverageValue"] = external.Obj(valueField)?["averageValue"]?.DeepClone(),
            });
        }
        return result;
    }

    // v1's hidden MetricSpec → v2, with the target types upstream infers.
    private static JsonObject MetricSpecToV2(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = metric.Str("type") };
        if (metric.Obj("resource") is { } resource)
        {
            result["resource"] = new JsonObject { ["name"] = resource.Str("name"), ["target"] = ResourceTarget(resource) };
        }
        if (metric.Obj("containerResource") is { } container)
        {
            result["containerResource"] = new JsonObject
            {
                ["name"] = container.Str("name"),
                ["target"] = ResourceTarget(container),
                ["container"] = container.Str("container"),
            };
        }
        if (metric.Obj("pods") is { } pods)
        {
            result["pods"] = new JsonObject
            {
                ["metric"] = Identifier(pods.Str("metricName"), pods["selector"]),
                ["target"] = Compact(new JsonObject { ["type"] = "AverageValue", ["averageValue"] = pods["targetAverageValue"]?.DeepClone() }),
            };
        }
        if (metric.Obj("object") is { } obj)
        {
            result["object"] = new JsonObject
            {
                ["describedObject"] = obj["target"]?.DeepClone(),
                ["target"] = Compact(new JsonObject
                {
                    ["type"] = obj.Has("averageValue") ? "AverageValue" : "Value",
                    ["value"] = obj["targetValue"]?.DeepClone(),
                    ["averageValue"] = obj["averageValue"]?.DeepClone(),
                }),
                ["metric"] = Identifier(obj.Str("metricName"), obj["selector"]),
            };
        }
        if (metric.Obj("external") is { } external)
        {
            result["external"] = new JsonObject
            {
                ["metric"] = Identifier(external.Str("metricName"), external["metricSelector"]),
                ["target"] = Compact(new JsonObject
                {
                    ["type"] = external.Has("targetValue") ? "Value" : "AverageValue",
                    ["value"] = external["targetValue"]?.DeepClone(),
                    ["averageValue"] = external["targetAverageValue"]?.DeepClone(),
                }),
            };
        }
        return result;
    }

    private static JsonObject ResourceTarget(JsonObject source) => Compact(new JsonObject
    {
        ["type"] = source.Has("targetAverageUtilization") ? "Utilization" : "AverageValue",
        ["averageUtilization"] = source.Int("targetAverageUtilization"),
        ["averageValue"] = source["targetAverageValue"]?.DeepClone(),
    });

    private static JsonObject MetricStatusToV2(JsonObject metric)
    {
        var result = new JsonObject { ["type"] = metric.Str("type") };
        foreach (var field in new[] { "resource", "containerResource" })
        {
            if (metric.Obj(field) is { } resource)
            {
                result[field] = Compact(new JsonObject
                {
                    ["name"] = resource.Str("name"),
                    ["current"] = Compact(new JsonObject
                    {
                        ["averageValue"] = resource["currentAverageValue"]?.DeepClone(),
                        ["averageUtilization"] = resource.Int("currentAverageUtilization"),
                    }),
                    ["container"] = resource.Str("container"),
                });
            }
        }
        if (metric.Obj("pods") is { } pods)
        {
            result["pods"] = new JsonObject
            {
                ["metric"] = Identifier(pods.Str("metricName"), pods["selector"]),
                ["current"] = Compact(new JsonObject { ["averageValue"] = pods["currentAverageValue"]?.DeepClone() }),
            };
        }
        if (metric.Obj("object") is { } obj)
        {
            result["object"] = new JsonObject
            {
                ["metric"] = Identifier(obj.Str("metricName"), obj["selector"]),
                ["current"] = Compact(new JsonObject { ["value"] = obj["currentValue"]?.DeepClone(), ["averageValue"] = obj["averageValue"]?.DeepClone() }),
                ["describedObject"] = obj["target"]?.DeepClone(),
            };
        }
        if (metric.Obj("external") is { } external)
        {
            result["external"] = new JsonObject
            {
                ["metric"] = Identifier(external.Str("metricName"), external["metricSelector"]),
                ["current"] = Compact(new JsonObject { ["value"] = external["currentValue"]?.DeepClone(), ["averageValue"] = external["currentAverageValue"]?.DeepClone() }),
            };
        }
        return result;
    }

    private static JsonObject Identifier(string? name, JsonNode? selector) => Compact(new JsonObject { ["name"] = name ?? "", ["selector"] = selector?.DeepClone() });

    // The behavior annotation holds upstream's internal type marshalled without JSON tags: Go field names.
    private static JsonObject GoBehavior(JsonObject behavior) => new()
    {
        ["ScaleUp"] = GoRules(behavior.Obj("scaleUp")),
        ["ScaleDown"] = GoRules(behavior.Obj("scaleDown")),
    };

    private static JsonObject? GoRules(JsonObject? rules) => rules is null ? null : new JsonObject
    {
        ["StabilizationWindowSeconds"] = rules.Int("stabilizationWindowSeconds"),
        ["SelectPolicy"] = rules.Str("selectPolicy"),
        ["Policies"] = rules.Arr("policies") is { } policies
            ? new JsonArray(policies.OfType<JsonObject>().Select(p => (JsonNode?)new JsonObject
            {
                ["Type"] = p.Str("type"),
                ["Value"] = p.Int("value"),
                ["PeriodSeconds"] = p.Int("periodSeconds"),
            }).ToArray())
            : null,
    };

    private static JsonObject FromGoBehavior(JsonObject behavior) => Compact(new JsonObject
    {
        ["scaleUp"] = FromGoRules(behavior.Obj("ScaleUp")),
        ["scaleDown"] = FromGoRules(behavior.Obj("ScaleDown")),
    });

    private static JsonObject? FromGoRules(JsonObject? rules) => rules is null ? null : Compact(new JsonObject
    {
        ["stabilizationWindowSeconds"] = rules.Int("StabilizationWindowSeconds"),
        ["selectPolicy"] = rules.Str("SelectPolicy"),
        ["policies"] = rules.Arr("Policies") is { } policies
            ? new JsonArray(policies.OfType<JsonObject>().Select(p => (JsonNode?)new JsonObject
            {
                ["type"] = p.Str("Type"),
                ["value"] = p.Int("Value"),
                ["periodSeconds"] = p.Int("PeriodSeconds"),
            }).ToArray())
            : null,
    });

    private static void CopyIf(JsonObject? from, JsonObject to, params string[] fields)
    {
        foreach (var field in fields)
        {
            if (from?[field] is { } value)
            {
                to[field] = value.DeepClone();
            }
        }
    }

    /// <summary>Drops null members, as omitempty fields are left out.</summary>
    private static JsonObject Compact(JsonObject obj)
    {
        foreach (var (key, value) in obj.ToArray())
        {
            if (value is null)
            {
                obj.Remove(key);
            }
        }
        return obj;
    }

    private static JsonNode? Parse(JsonObject? annotations, string key)
    {
        if (annotations.Str(key) is not { } text)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Upstream ignores an annotation it cannot decode.
            return null;
        }
    }

    private static string Json(JsonNode node) => node.ToJsonString(JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
