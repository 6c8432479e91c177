using System.Text.Json.Nodes;
using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Tables;

namespace MiniKube.ApiServer.Tests.Tables;

public sealed class GroupPrintersTests
{
    private static JsonArray Cells(ResourceType type, string json) =>
        TableBuilder.BuildTable(type, [JsonNode.Parse(json)!.AsObject()], new TableOptions(), TableTestSupport.Now)["rows"]![0]!["cells"]!.AsArray();

    [Test]
    public void Ingress_ManyHosts_AreCutAfterThree()
    {
        var cells = Cells(ResourceCatalog.FindKind("networking.k8s.io", "Ingress")!,
            """{"metadata":{"name":"i"},"spec":{"rules":[{"host":"a"},{"host":"b"},{"host":"c"},{"host":"d"},{"host":"e"}]},"status":{"loadBalancer":{"ingress":[{"ip":"1.1.1.1"},{"hostname":"lb"}]}}}""");

        Assert.That(cells.Take(5).Select(c => c!.ToString()), Is.EqualTo(new[] { "i", "<none>", "a,b,c + 2 more...", "1.1.1.1,lb", "80" }));
    }

    [Test]
    public void HorizontalPodAutoscaler_Targets_ShowCurrentAndTargetPerMetric()
    {
        var cells = Cells(ResourceCatalog.FindKind("autoscaling", "v2", "HorizontalPodAutoscaler")!, """
            {"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":4,"metrics":[
             {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},
             {"type":"Object","object":{"target":{"type":"AverageValue","averageValue":"5"}}},
             {"type":"External","external":{"target":{"type":"Value","value":"3"}}},
             {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"1Gi"}}}]},
            "status":{"currentReplicas":2,"currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":12}}}]}}
            """);

        Assert.That(cells[2]!.GetValue<string>(), Is.EqualTo("cpu: 12%/50%, <unknown>/5 (avg), <unknown>/3 + 1 more..."));
        Assert.That(cells[3]!.GetValue<string>(), Is.EqualTo("<unset>"));
        Assert.That(cells[5]!.GetValue<long>(), Is.EqualTo(2));
    }

    [Test]
    public void CertificateSigningRequest_Condition_FollowsUpstreamPrecedence()
    {
        var cells = Cells(ResourceCatalog.FindKind("certificates.k8s.io", "CertificateSigningRequest")!, """
            {"metadata":{"name":"c"},"spec":{"signerName":"s/x","username":"u","expirationSeconds":3600},
             "status":{"conditions":[{"type":"Approved"},{"type":"Denied"},{"type":"Failed"}],"certificate":"eA=="}}
            """);

        Assert.That(cells.Skip(2).Select(c => c!.ToString()), Is.EqualTo(new[] { "s/x", "u", "60m", "Denied,Failed,Issued" }));
    }
}
