using System.Text.Json.Nodes;
using MiniKube.ApiServer.Conversion;

namespace MiniKube.ApiServer.Tests.Conversion;

public sealed class HorizontalPodAutoscalerConversionTests
{
    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    [Test]
    public void ToV2_CpuTarget_BecomesUtilizationMetric()
    {
        var v1 = Parse("""{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"a"},"spec":{"maxReplicas":3,"targetCPUUtilizationPercentage":50}}""");

        var v2 = HorizontalPodAutoscalerConversion.ToV2(v1);

        Assert.That(v2["apiVersion"]!.GetValue<string>(), Is.EqualTo("autoscaling/v2"));
        Assert.That(v2["spec"]!.ToJsonString(),
            Is.EqualTo("""{"maxReplicas":3,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}"""));
    }

    [Test]
    public void ToV2_NoTargetAndNoAnnotation_GetsTheImplicit80Percent()
    {
        var v2 = HorizontalPodAutoscalerConversion.ToV2(Parse("""{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{},"spec":{"maxReplicas":3}}"""));

        Assert.That(v2["spec"]!["metrics"]![0]!["resource"]!["target"]!["averageUtilization"]!.GetValue<long>(), Is.EqualTo(80));
    }

    [Test]
    public void ToV1ThenToV2_WhatV1CannotSay_SurvivesInAnnotations()
    {
        var v2 = Parse("""
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"a","annotations":{"keep":"me"}},
            "spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":1,"maxReplicas":4,
             "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
                        {"type":"External","external":{"metric":{"name":"queue"},"target":{"type":"Value","value":"30"}}},
                        {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":75}}}],
             "behavior":{"scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[{"type":"Pods","value":4,"periodSeconds":15}]}}},
            "status":{"currentReplicas":2,"desiredReplicas":2,
             "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":40,"averageValue":"20m"}}}],
             "conditions":[{"type":"AbleToScale","status":"True","reason":"ReadyForNewScale"}]}}
            """);

        var v1 = HorizontalPodAutoscalerConversion.ToV1(v2);
        var back = HorizontalPodAutoscalerConversion.ToV2(v1);

        Assert.That(v1["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<long>(), Is.EqualTo(75));
        Assert.That(v1["status"]!["currentCPUUtilizationPercentage"]!.GetValue<long>(), Is.EqualTo(40));
        var annotations = v1["metadata"]!["annotations"]!.AsObject();
        Assert.That(annotations["autoscaling.alpha.kubernetes.io/metrics"]!.GetValue<string>(), Is.EqualTo(
            """[{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}},{"type":"External","external":{"metricName":"queue","targetValue":"30"}}]"""));
        Assert.That(annotations["autoscaling.alpha.kubernetes.io/behavior"]!.GetValue<string>(), Is.EqualTo(
            """{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,"PeriodSeconds":15}]},"ScaleDown":null}"""));
        Assert.That(annotations["keep"]!.GetValue<string>(), Is.EqualTo("me"));
        Assert.That(back["metadata"]!.ToJsonString(), Is.EqualTo("""{"name":"a","annotations":{"keep":"me"}}"""));
        Assert.That(back["spec"]!["metrics"]!.AsArray().Select(m => m!["resource"]?["name"]?.GetValue<string>() ?? m!["type"]!.GetValue<string>()),
            Is.EqualTo(new[] { "memory", "External", "cpu" }));
        Assert.That(JsonNode.DeepEquals(back["spec"]!["behavior"], v2["spec"]!["behavior"]), back["spec"]!["behavior"]!.ToJsonString());
        Assert.That(JsonNode.DeepEquals(back["status"]!["conditions"], v2["status"]!["conditions"]));
        Assert.That(back["status"]!["currentMetrics"]![0]!["resource"]!["current"]!.ToJsonString(), Is.EqualTo("""{"averageValue":"20m","averageUtilization":40}"""));
    }

    [Test]
    public void Conversions_OfTheTargetVersion_ReturnTheSameObject()
    {
        var v1 = Parse("""{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler"}""");
        var v2 = Parse("""{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler"}""");

        Assert.That(HorizontalPodAutoscalerConversion.ToV1(v1), Is.SameAs(v1));
        Assert.That(HorizontalPodAutoscalerConversion.ToV2(v2), Is.SameAs(v2));
    }
}
