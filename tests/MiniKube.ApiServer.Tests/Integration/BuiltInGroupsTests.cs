using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The built-in groups real manifests carry, over HTTP against an in-process API server:
/// networking.k8s.io, autoscaling v1 and v2 over one stored form, events.k8s.io over core
/// Events, node.k8s.io, the storage.k8s.io CSI kinds, certificates.k8s.io with approval, and
/// core PodTemplates; each stored, defaulted, validated, listed, watched and printed.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class BuiltInGroupsTests : ApiServerFixture
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private const string Ingress = """
        {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"demo"},"spec":{"ingressClassName":"nginx",
        "tls":[{"hosts":["foo.com"],"secretName":"my-cert"}],"rules":[{"host":"foo.com","http":{"paths":[{"path":"/bar","pathType":"Prefix",
        "backend":{"service":{"name":"svc1","port":{"number":8080}}}}]}}]},"status":{"loadBalancer":{}}}
        """;

    [Test]
    public async Task Ingress_Lifecycle_StoresPrintsUpdatesAndDeletes()
    {
        var created = await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/default/ingresses?fieldManager=kubectl-create&fieldValidation=Strict", Ingress);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(1));

        var table = await SendAsync(HttpMethod.Get, "/apis/networking.k8s.io/v1/namespaces/default/ingresses?limit=500", accept: TableAccept);
        var columns = Json(table.Body)["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.That(columns, Is.EqualTo(new[] { "Name", "Class", "Hosts", "Address", "Ports", "Age" }));
        var cells = Json(table.Body)["rows"]![0]!["cells"]!.AsArray().Take(5).Select(c => c!.ToString());
        Assert.That(cells, Is.EqualTo(new[] { "demo", "nginx", "foo.com", "", "80, 443" }));

        var updated = Json(created.Body);
        updated["spec"]!["rules"]![0]!["host"] = "bar.com";
        var put = await SendAsync(HttpMethod.Put, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/demo", updated.ToJsonString());
        Assert.That(put.Code, Is.EqualTo(200), put.Body);
        Assert.That(Json(put.Body)["metadata"]!["generation"]!.GetValue<long>(), Is.EqualTo(2));

        var status = await SendAsync(HttpMethod.Patch, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/demo/status",
            """{"status":{"loadBalancer":{"ingress":[{"ip":"10.0.0.9"}]}}}""", "application/merge-patch+json");
        Assert.That(status.Code, Is.EqualTo(200), status.Body);
        Assert.That(Json(status.Body)["status"]!["loadBalancer"]!["ingress"]![0]!["ip"]!.GetValue<string>(), Is.EqualTo("10.0.0.9"));

        Assert.That((await SendAsync(HttpMethod.Delete, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/demo")).Code, Is.EqualTo(200));
        Assert.That((await SendAsync(HttpMethod.Get, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/demo")).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task Ingress_Invalid_Gets422WithUpstreamCauses()
    {
        var bad = """
            {"metadata":{"name":"bad"},"spec":{"rules":[{"host":"1.2.3.4","http":{"paths":[{"path":"bar","pathType":"Exact",
            "backend":{"service":{"name":"svc"}}},{"path":"/x","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}]}}
            """;

        var (code, body) = await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/default/ingresses", bad);

        Assert.That(code, Is.EqualTo(422), body);
        var message = Json(body)["message"]!.GetValue<string>();
        Assert.That(message, Does.StartWith("Ingress.networking.k8s.io \"bad\" is invalid:"));
        Assert.That(message, Does.Contain("spec.rules[0].host: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address"));
        Assert.That(message, Does.Contain("spec.rules[0].http.paths[0].path: Invalid value: \"bar\": must be an absolute path"));
        Assert.That(message, Does.Contain("spec.rules[0].http.paths[0].backend.service.port: Required value: port name or number is required"));
        Assert.That(message, Does.Contain("spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified"));
    }

    [Test]
    public async Task Ingress_WithoutClass_GetsTheNewestDefaultIngressClass()
    {
        foreach (var name in new[] { "old", "new" })
        {
            var ingressClass = $$$"""{"metadata":{"name":"{{{name}}}","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}},"spec":{"controller":"example.com/{{{name}}}"}}""";
            Assert.That((await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/ingressclasses", ingressClass)).Code, Is.EqualTo(201));
            await Task.Delay(1100); // creationTimestamp has second precision
        }
        var ingress = """{"metadata":{"name":"plain"},"spec":{"defaultBackend":{"service":{"name":"svc","port":{"name":"http"}}}}}""";

        var (code, body) = await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/default/ingresses", ingress);

        Assert.That(code, Is.EqualTo(201), body);
        Assert.That(Json(body)["spec"]!["ingressClassName"]!.GetValue<string>(), Is.EqualTo("new"));
        var table = await SendAsync(HttpMethod.Get, "/apis/networking.k8s.io/v1/ingressclasses", accept: TableAccept);
        Assert.That(Json(table.Body)["rows"]![0]!["cells"]![1]!.GetValue<string>(), Is.EqualTo("example.com/new"));
    }

    [Test]
    public async Task NetworkPolicy_DefaultsPolicyTypesAndRejectsBadPeers()
    {
        var good = """{"metadata":{"name":"web"},"spec":{"podSelector":{"matchLabels":{"app":"web"}},"egress":[{"ports":[{"port":80}]}]}}""";
        var created = await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", good);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["spec"]!["policyTypes"]!.ToJsonString(), Is.EqualTo("""["Ingress","Egress"]"""));
        Assert.That(Json(created.Body)["spec"]!["egress"]![0]!["ports"]![0]!["protocol"]!.GetValue<string>(), Is.EqualTo("TCP"));

        var bad = """
            {"metadata":{"name":"bad"},"spec":{"podSelector":{},"ingress":[{"ports":[{"port":8080,"endPort":80}],
            "from":[{"ipBlock":{"cidr":"10.0.0.0/16","except":["10.1.0.0/24"]},"podSelector":{}},{"ipBlock":{"cidr":"10.0.0.0/33"}},{}]}]}}
            """;
        var (code, body) = await SendAsync(HttpMethod.Post, "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", bad);

        Assert.That(code, Is.EqualTo(422), body);
        var message = Json(body)["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"));
        Assert.That(message, Does.Contain("spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`"));
        Assert.That(message, Does.Contain("spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"));
        Assert.That(message, Does.Contain("spec.ingress[0].from[1].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": not a valid CIDR"));
        Assert.That(message, Does.Contain("spec.ingress[0].from[2]: Required value: must specify a peer"));
        var table = await SendAsync(HttpMethod.Get, "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", accept: TableAccept);
        Assert.That(Json(table.Body)["rows"]![0]!["cells"]![1]!.GetValue<string>(), Is.EqualTo("app=web"));
    }

    [Test]
    public async Task HorizontalPodAutoscaler_V1AndV2_ShareOneStoredObjectAndRoundTrip()
    {
        var v1 = """
            {"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web"},
            "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,"targetCPUUtilizationPercentage":60}}
            """;
        var created = await SendAsync(HttpMethod.Post, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", v1);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["spec"]!["minReplicas"]!.GetValue<long>(), Is.EqualTo(1));

        var asV2 = Json((await SendAsync(HttpMethod.Get, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")).Body);
        Assert.That(asV2["apiVersion"]!.GetValue<string>(), Is.EqualTo("autoscaling/v2"));
        Assert.That(asV2["spec"]!["metrics"]!.ToJsonString(), Is.EqualTo("""[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":60}}}]"""));

        // A v2 writer adds what v1 cannot say; a v1 read-modify-write must not lose it.
        asV2["spec"]!["metrics"]!.AsArray().Add(JsonNode.Parse("""{"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}"""));
        asV2["spec"]!["behavior"] = JsonNode.Parse("""{"scaleDown":{"stabilizationWindowSeconds":120}}""");
        var putV2 = await SendAsync(HttpMethod.Put, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web", asV2.ToJsonString());
        Assert.That(putV2.Code, Is.EqualTo(200), putV2.Body);
        Assert.That(Json(putV2.Body)["spec"]!["behavior"]!["scaleUp"]!["selectPolicy"]!.GetValue<string>(), Is.EqualTo("Max"));

        var asV1 = Json((await SendAsync(HttpMethod.Get, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web")).Body);
        Assert.That(asV1["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<long>(), Is.EqualTo(60));
        var annotations = asV1["metadata"]!["annotations"]!.AsObject();
        Assert.That(annotations["autoscaling.alpha.kubernetes.io/metrics"]!.GetValue<string>(),
            Is.EqualTo("""[{"type":"Pods","pods":{"metricName":"qps","targetAverageValue":"10"}}]"""));
        Assert.That(annotations["autoscaling.alpha.kubernetes.io/behavior"]!.GetValue<string>(), Does.Contain("\"StabilizationWindowSeconds\":120"));
        asV1["spec"]!["maxReplicas"] = 7;
        var putV1 = await SendAsync(HttpMethod.Put, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web", asV1.ToJsonString());
        Assert.That(putV1.Code, Is.EqualTo(200), putV1.Body);

        var final = Json((await SendAsync(HttpMethod.Get, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web")).Body);
        Assert.That(final["spec"]!["maxReplicas"]!.GetValue<long>(), Is.EqualTo(7));
        Assert.That(final["spec"]!["metrics"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(final["spec"]!["behavior"]!["scaleDown"]!["stabilizationWindowSeconds"]!.GetValue<long>(), Is.EqualTo(120));
        Assert.That(final["metadata"]!["annotations"], Is.Null);

        // As upstream's v1 conversion, the metrics carried in the annotation come back before the CPU target.
        var table = await SendAsync(HttpMethod.Get, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", accept: TableAccept);
        var cells = Json(table.Body)["rows"]![0]!["cells"]!.AsArray().Take(6).Select(c => c!.ToString());
        Assert.That(cells, Is.EqualTo(new[] { "web", "Deployment/web", "<unknown>/10, cpu: <unknown>/60%", "1", "7", "0" }));
    }

    [Test]
    public async Task HorizontalPodAutoscaler_Invalid_Gets422()
    {
        var bad = """{"metadata":{"name":"bad"},"spec":{"scaleTargetRef":{"kind":"Deployment"},"minReplicas":4,"maxReplicas":2}}""";

        var (code, body) = await SendAsync(HttpMethod.Post, "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers", bad);

        Assert.That(code, Is.EqualTo(422), body);
        var message = Json(body)["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"));
        Assert.That(message, Does.Contain("spec.scaleTargetRef.name: Required value"));
    }

    [Test]
    public async Task Events_CoreAndEventsV1_AreOneStoreSeenByBothVersions()
    {
        var core = """
            {"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"Started","message":"hello",
            "source":{"component":"kubelet"},"count":1,"type":"Normal"}
            """;
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", core)).Code, Is.EqualTo(201));

        var asEvents = Json((await SendAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events/e1")).Body);
        Assert.That(asEvents["apiVersion"]!.GetValue<string>(), Is.EqualTo("events.k8s.io/v1"));
        Assert.That(asEvents["note"]!.GetValue<string>(), Is.EqualTo("hello"));
        Assert.That(asEvents["regarding"]!["name"]!.GetValue<string>(), Is.EqualTo("p"));
        Assert.That(asEvents["deprecatedSource"]!["component"]!.GetValue<string>(), Is.EqualTo("kubelet"));
        Assert.That(asEvents["deprecatedCount"]!.GetValue<long>(), Is.EqualTo(1));

        var modern = """
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e2"},"eventTime":"2026-01-01T00:00:00.000000Z",
            "reportingController":"example.com/ctl","reportingInstance":"ctl-1","action":"Scale","reason":"Scaled","note":"up",
            "regarding":{"kind":"Deployment","name":"d","namespace":"default"},"type":"Normal"}
            """;
        var created = await SendAsync(HttpMethod.Post, "/apis/events.k8s.io/v1/namespaces/default/events", modern);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(Json(created.Body)["note"]!.GetValue<string>(), Is.EqualTo("up"));

        var asCore = Json((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/events/e2")).Body);
        Assert.That(asCore["message"]!.GetValue<string>(), Is.EqualTo("up"));
        Assert.That(asCore["reportingComponent"]!.GetValue<string>(), Is.EqualTo("example.com/ctl"));
        Assert.That(asCore["involvedObject"]!["kind"]!.GetValue<string>(), Is.EqualTo("Deployment"));

        var list = Json((await SendAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events")).Body);
        Assert.That(list["kind"]!.GetValue<string>(), Is.EqualTo("EventList"));
        Assert.That(list["items"]!.AsArray().Select(i => i!["apiVersion"]!.GetValue<string>()), Is.All.EqualTo("events.k8s.io/v1"));
        Assert.That(list["items"]!.AsArray(), Has.Count.EqualTo(2));

        var selected = Json((await SendAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dp")).Body);
        Assert.That(selected["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "e1" }));
        var coreLabel = await SendAsync(HttpMethod.Get, "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dp");
        Assert.That(coreLabel.Code, Is.EqualTo(400), coreLabel.Body);

        var strict = await SendAsync(HttpMethod.Post, "/apis/events.k8s.io/v1/namespaces/default/events",
            """{"metadata":{"name":"e3"},"regarding":{"namespace":"default"},"type":"Odd","deprecatedCount":3}""");
        Assert.That(strict.Code, Is.EqualTo(422), strict.Body);
        Assert.That(strict.Body, Does.Contain("eventTime: Required value"));
        Assert.That(strict.Body, Does.Contain("deprecatedCount: Invalid value: \\\"\\\": needs to be unset"));
    }

    [Test]
    public async Task Events_WatchOnEventsV1_SeesCoreWritesInItsShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.Server.Address, "/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=0"));
        using var response = await Client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var core = """{"metadata":{"name":"w1"},"involvedObject":{"kind":"Pod","name":"p","namespace":"default"},"reason":"R","message":"seen","type":"Normal"}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/events", core)).Code, Is.EqualTo(201));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = await reader.ReadLineAsync(timeout.Token);

        var ev = Json(line!);
        Assert.That(ev["type"]!.GetValue<string>(), Is.EqualTo("ADDED"));
        Assert.That(ev["object"]!["apiVersion"]!.GetValue<string>(), Is.EqualTo("events.k8s.io/v1"));
        Assert.That(ev["object"]!["note"]!.GetValue<string>(), Is.EqualTo("seen"));
    }

    [Test]
    public async Task CertificateSigningRequest_RecordsRequestorAndIsApprovedThroughApproval()
    {
        var csr = $$$"""
            {"metadata":{"name":"node-csr"},"spec":{"request":"{{{CsrRequest()}}}","signerName":"kubernetes.io/kube-apiserver-client",
            "usages":["client auth","digital signature"],"expirationSeconds":86400,"username":"someone-else"}}
            """;
        var created = await SendAsync(HttpMethod.Post, "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        var requestor = Json(created.Body)["spec"]!["username"]!.GetValue<string>();
        Assert.That(requestor, Is.Not.EqualTo("someone-else").And.Not.Empty);

        var body = Json(created.Body);
        body["status"] = JsonNode.Parse("""{"conditions":[{"type":"Approved","reason":"KubectlApprove","message":"ok"}]}""");
        body["spec"]!["signerName"] = "example.com/changed";
        var approved = await SendAsync(HttpMethod.Put, "/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr/approval", body.ToJsonString());
        Assert.That(approved.Code, Is.EqualTo(200), approved.Body);
        var condition = Json(approved.Body)["status"]!["conditions"]![0]!;
        Assert.That(condition["status"]!.GetValue<string>(), Is.EqualTo("True"));
        Assert.That(condition["lastUpdateTime"], Is.Not.Null);
        Assert.That(Json(approved.Body)["spec"]!["signerName"]!.GetValue<string>(), Is.EqualTo("kubernetes.io/kube-apiserver-client"));

        // /status may not take the decision away.
        var status = Json(approved.Body);
        status["status"]!["conditions"] = new JsonArray();
        var statusWrite = await SendAsync(HttpMethod.Put, "/apis/certificates.k8s.io/v1/certificatesigningrequests/node-csr/status", status.ToJsonString());
        Assert.That(Json(statusWrite.Body)["status"]!["conditions"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("Approved"));

        var table = await SendAsync(HttpMethod.Get, "/apis/certificates.k8s.io/v1/certificatesigningrequests", accept: TableAccept);
        var cells = Json(table.Body)["rows"]![0]!["cells"]!.AsArray().Select(c => c!.ToString()).ToList();
        Assert.That(cells.Skip(2), Is.EqualTo(new[] { "kubernetes.io/kube-apiserver-client", requestor, "24h", "Approved" }));
    }

    [Test]
    public async Task CertificateSigningRequest_Invalid_Gets422()
    {
        var csr = """{"metadata":{"name":"bad"},"spec":{"request":"bm90IGEgY3Ny","signerName":"nodomain","usages":["client auth","client auth","flying"],"expirationSeconds":60}}""";

        var (code, body) = await SendAsync(HttpMethod.Post, "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr);

        Assert.That(code, Is.EqualTo(422), body);
        var message = Json(body)["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST"));
        Assert.That(message, Does.Contain("spec.usages[1]: Duplicate value: \"client auth\""));
        Assert.That(message, Does.Contain("spec.usages[2]: Unsupported value: \"flying\""));
        Assert.That(message, Does.Contain("spec.signerName: Invalid value: \"nodomain\": must be a fully qualified domain and path of the form 'example.com/signer-name'"));
        Assert.That(message, Does.Contain("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)"));
    }

    [Test]
    public async Task ClusterKinds_AreDefaultedValidatedAndPrinted()
    {
        var runtime = await SendAsync(HttpMethod.Post, "/apis/node.k8s.io/v1/runtimeclasses", """{"metadata":{"name":"gvisor"},"handler":"Runsc"}""");
        Assert.That(runtime.Code, Is.EqualTo(422), runtime.Body);
        Assert.That(runtime.Body, Does.Contain("handler: Invalid value: \\\"Runsc\\\""));
        Assert.That((await SendAsync(HttpMethod.Post, "/apis/node.k8s.io/v1/runtimeclasses", """{"metadata":{"name":"gvisor"},"handler":"runsc"}""")).Code, Is.EqualTo(201));

        var driver = Json((await SendAsync(HttpMethod.Post, "/apis/storage.k8s.io/v1/csidrivers", """{"metadata":{"name":"csi.example.com"},"spec":{}}""")).Body);
        Assert.That(driver["spec"]!["attachRequired"]!.GetValue<bool>(), Is.True);
        Assert.That(driver["spec"]!["volumeLifecycleModes"]!.ToJsonString(), Is.EqualTo("""["Persistent"]"""));
        var driverTable = await SendAsync(HttpMethod.Get, "/apis/storage.k8s.io/v1/csidrivers", accept: TableAccept);
        Assert.That(Json(driverTable.Body)["rows"]![0]!["cells"]!.AsArray().Take(7).Select(c => c!.ToString()),
            Is.EqualTo(new[] { "csi.example.com", "True", "False", "False", "<unset>", "False", "Persistent" }));

        var node = await SendAsync(HttpMethod.Post, "/apis/storage.k8s.io/v1/csinodes", """{"metadata":{"name":"n1"},"spec":{"drivers":[{"name":"csi.example.com","nodeID":""}]}}""");
        Assert.That(node.Code, Is.EqualTo(422), node.Body);
        Assert.That(node.Body, Does.Contain("spec.drivers[0].nodeID: Required value"));

        var attachment = """{"metadata":{"name":"va"},"spec":{"attacher":"csi.example.com","source":{"persistentVolumeName":"pv1"},"nodeName":"n1"}}""";
        Assert.That((await SendAsync(HttpMethod.Post, "/apis/storage.k8s.io/v1/volumeattachments", attachment)).Code, Is.EqualTo(201));
        var attached = await SendAsync(HttpMethod.Patch, "/apis/storage.k8s.io/v1/volumeattachments/va/status", """{"status":{"attached":true}}""", "application/merge-patch+json");
        Assert.That(Json(attached.Body)["status"]!["attached"]!.GetValue<bool>(), Is.True);
        var moved = await SendAsync(HttpMethod.Patch, "/apis/storage.k8s.io/v1/volumeattachments/va", """{"spec":{"nodeName":"n2"}}""", "application/merge-patch+json");
        Assert.That(moved.Code, Is.EqualTo(422), moved.Body);

        var template = """{"metadata":{"name":"tpl"},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}""";
        var createdTemplate = Json((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/podtemplates", template)).Body);
        Assert.That(createdTemplate["template"]!["spec"]!["restartPolicy"]!.GetValue<string>(), Is.EqualTo("Always"));
        var templateTable = await SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/podtemplates", accept: TableAccept);
        Assert.That(Json(templateTable.Body)["rows"]![0]!["cells"]!.AsArray().Select(c => c!.ToString()), Is.EqualTo(new[] { "tpl", "c", "busybox", "app=x" }));
    }

    [Test]
    public async Task Discovery_ListsEveryGroupAndBothAutoscalingVersions()
    {
        var autoscaling = Json((await SendAsync(HttpMethod.Get, "/apis/autoscaling")).Body);
        Assert.That(autoscaling["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()), Is.EqualTo(new[] { "v2", "v1" }));
        Assert.That(autoscaling["preferredVersion"]!["version"]!.GetValue<string>(), Is.EqualTo("v2"));

        var networking = (await SendAsync(HttpMethod.Get, "/apis/networking.k8s.io/v1")).Body;
        Assert.That(networking, Does.Contain("\"ingresses/status\"").And.Contain("\"netpol\"").And.Contain("\"ingressclasses\""));
        var certificates = (await SendAsync(HttpMethod.Get, "/apis/certificates.k8s.io/v1")).Body;
        Assert.That(certificates, Does.Contain("\"certificatesigningrequests/approval\""));

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.Server.Address, "/apis"));
        request.Headers.Accept.ParseAdd("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        using var response = await Client.HttpClient.SendAsync(request);
        var aggregated = await response.Content.ReadAsStringAsync();
        foreach (var group in new[] { "networking.k8s.io", "autoscaling", "events.k8s.io", "node.k8s.io", "certificates.k8s.io" })
        {
            Assert.That(aggregated, Does.Contain($"\"name\":\"{group}\""));
        }

        var index = Json((await SendAsync(HttpMethod.Get, "/openapi/v3")).Body)["paths"]!.AsObject();
        foreach (var path in new[] { "apis/networking.k8s.io/v1", "apis/autoscaling/v1", "apis/autoscaling/v2", "apis/events.k8s.io/v1", "apis/certificates.k8s.io/v1", "apis/node.k8s.io/v1" })
        {
            Assert.That(index.ContainsKey(path), path);
        }
        var document = (await SendAsync(HttpMethod.Get, "/openapi/v3/apis/autoscaling/v1")).Body;
        Assert.That(document, Does.Contain("io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler"));
    }

    private static string CsrRequest()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=system:node:n1,O=system:nodes", key, HashAlgorithmName.SHA256);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(request.CreateSigningRequestPem()));
    }

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
