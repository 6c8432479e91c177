using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// ResourceQuota and LimitRange over HTTP against an in-process API server: served with kubectl's
/// columns, validated, LimitRanger's defaults and refusals on pods, and quota admission's 403s and
/// status.used charges. No quota controller runs here, so tests write status.hard and status.used
/// through /status as the controller would.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class QuotaAndLimitsTests : ApiServerFixture
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private const string Pods = "/api/v1/namespaces/default/pods";
    private const string Quotas = "/api/v1/namespaces/default/resourcequotas";
    private const string LimitRanges = "/api/v1/namespaces/default/limitranges";

    [Test]
    public async Task Pod_ContainerLimitRange_GetsDefaultRequestsAndLimits()
    {
        await CreateAsync(LimitRanges, """
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"defaults"},"spec":{"limits":[{"type":"Container",
            "default":{"cpu":"500m","memory":"1024Mi"},"defaultRequest":{"cpu":"0.1","memory":"128Mi"}}]}}
            """);

        var pod = await CreateAsync(Pods, Pod("web", """{"requests":{"cpu":"200m"}}"""));

        var resources = pod["spec"]!["containers"]![0]!["resources"]!;
        Assert.That(resources["requests"]!.ToJsonString(), Is.EqualTo("""{"cpu":"200m","memory":"128Mi"}"""));
        Assert.That(resources["limits"]!.ToJsonString(), Is.EqualTo("""{"cpu":"500m","memory":"1Gi"}"""));
        Assert.That(pod["metadata"]!["annotations"]!["kubernetes.io/limit-ranger"]!.GetValue<string>(),
            Is.EqualTo("LimitRanger plugin set: memory request for container main; cpu, memory limit for container main"));
    }

    [Test]
    public async Task Pod_BreaksMinAndMax_Forbidden403WithUpstreamsMessages()
    {
        await CreateAsync(LimitRanges, """
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"bounds"},"spec":{"limits":[{"type":"Container",
            "min":{"cpu":"100m"},"max":{"memory":"1Gi"}}]}}
            """);

        var refused = await SendAsync(HttpMethod.Post, Pods, Pod("x", """{"requests":{"cpu":"50m"},"limits":{"cpu":"1","memory":"2Gi"}}"""));

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(Json(refused.Body)["reason"]!.GetValue<string>(), Is.EqualTo("Forbidden"));
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(), Is.EqualTo(
            "pods \"x\" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi]"));
        Assert.That((await SendAsync(HttpMethod.Get, Pods + "/x")).Code, Is.EqualTo(404));
    }

    [Test]
    public async Task LimitRange_MinAboveMax_Invalid422()
    {
        var refused = await SendAsync(HttpMethod.Post, LimitRanges, """
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"bad"},"spec":{"limits":[{"type":"Container","min":{"cpu":"2"},"max":{"cpu":"1"}}]}}
            """);

        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(), Does.Contain("spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1"));
    }

    [Test]
    public async Task Quota_Exceeded_Forbidden403_AndChargesStatusUsedOnCreate()
    {
        await CreateQuotaAsync("q1", """{"pods":"2","requests.cpu":"1"}""", """{"pods":"1","requests.cpu":"200m"}""");

        await CreateAsync(Pods, Pod("a", """{"requests":{"cpu":"300m"}}"""));
        var quota = Json((await SendAsync(HttpMethod.Get, Quotas + "/q1")).Body);
        Assert.That(quota["status"]!["used"]!.ToJsonString(), Is.EqualTo("""{"pods":"2","requests.cpu":"500m"}"""));

        var refused = await SendAsync(HttpMethod.Post, Pods, Pod("b", """{"requests":{"cpu":"100m"}}"""));
        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(),
            Is.EqualTo("pods \"b\" is forbidden: exceeded quota: q1, requested: pods=1, used: pods=2, limited: pods=2"));
    }

    [Test]
    public async Task Quota_OnLimitsCpu_PodWithoutIt_FailedQuota403()
    {
        await CreateQuotaAsync("q1", """{"limits.cpu":"2"}""", """{"limits.cpu":"0"}""");

        var refused = await SendAsync(HttpMethod.Post, Pods, Pod("p", "{}"));

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(), Is.EqualTo("pods \"p\" is forbidden: failed quota: q1: must specify limits.cpu for: main"));
    }

    [Test]
    public async Task Quota_DryRun_ChecksButChargesNothing()
    {
        await CreateQuotaAsync("q1", """{"configmaps":"1"}""", """{"configmaps":"0"}""");

        var dry = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps?dryRun=All", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""");
        Assert.That(dry.Code, Is.EqualTo(201), dry.Body);
        Assert.That(Json((await SendAsync(HttpMethod.Get, Quotas + "/q1")).Body)["status"]!["used"]!["configmaps"]!.GetValue<string>(), Is.EqualTo("0"));

        await CreateAsync("/api/v1/namespaces/default/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""");
        var second = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"}}""");
        Assert.That(Json(second.Body)["message"]!.GetValue<string>(),
            Is.EqualTo("configmaps \"d\" is forbidden: exceeded quota: q1, requested: configmaps=1, used: configmaps=1, limited: configmaps=1"));
    }

    [Test]
    public async Task Quota_WithoutStatusYet_DoesNotRefuse()
    {
        await CreateAsync(Quotas, """{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q1"},"spec":{"hard":{"pods":"0"}}}""");

        // As upstream: a quota is enforced once the controller has copied spec.hard into status.
        var pod = await SendAsync(HttpMethod.Post, Pods, Pod("a", "{}"));

        Assert.That(pod.Code, Is.EqualTo(201), pod.Body);
    }

    [Test]
    public async Task Quota_Table_PrintsRequestAndLimitColumns()
    {
        await CreateQuotaAsync("q1", """{"pods":"10","requests.memory":"1Gi","limits.cpu":"2"}""", """{"pods":"1","requests.memory":"512Mi","limits.cpu":"500m"}""");

        var table = Json((await SendAsync(HttpMethod.Get, Quotas, accept: TableAccept)).Body);

        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Name", "Age", "Request", "Limit" }));
        var cells = table["rows"]![0]!["cells"]!.AsArray().Select(c => c!.ToString()).ToList();
        Assert.That((cells[0], cells[2], cells[3]), Is.EqualTo(("q1", "pods: 1/10, requests.memory: 512Mi/1Gi", "limits.cpu: 500m/2")));
    }

    [Test]
    public async Task Quota_BadResourceName_Invalid422()
    {
        var refused = await SendAsync(HttpMethod.Post, Quotas, """{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},"spec":{"hard":{"pods":"1.5","foo":"1"}}}""");

        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        var message = Json(refused.Body)["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("spec.hard[foo]: Invalid value: \"foo\": must be a standard resource type or fully qualified"));
        Assert.That(message, Does.Contain("spec.hard[pods]: Invalid value: 1500m: must be an integer"));
    }

    [Test]
    public async Task Claim_AboveTheLimitRangeMax_Forbidden403()
    {
        await CreateAsync(LimitRanges, """
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"storage"},"spec":{"limits":[{"type":"PersistentVolumeClaim","max":{"storage":"2Gi"}}]}}
            """);

        var refused = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/persistentvolumeclaims", """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"big"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"5Gi"}}}}
            """);

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(),
            Is.EqualTo("persistentvolumeclaims \"big\" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"));
    }

    [Test]
    public async Task Quota_ServiceUpdatedToLoadBalancer_ChargedForTheDifference()
    {
        await CreateQuotaAsync("q1", """{"services":"5","services.loadbalancers":"1"}""", """{"services":"0","services.loadbalancers":"1"}""");
        var service = await CreateAsync("/api/v1/namespaces/default/services",
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}}""");
        Assert.That(Json((await SendAsync(HttpMethod.Get, Quotas + "/q1")).Body)["status"]!["used"]!.ToJsonString(),
            Is.EqualTo("""{"services":"1","services.loadbalancers":"1"}"""));

        service["spec"]!["type"] = "LoadBalancer";
        var refused = await SendAsync(HttpMethod.Put, "/api/v1/namespaces/default/services/web", service.ToJsonString());

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(Json(refused.Body)["message"]!.GetValue<string>(),
            Is.EqualTo("services \"web\" is forbidden: exceeded quota: q1, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1"));
    }

    private async Task CreateQuotaAsync(string name, string hard, string used)
    {
        await CreateAsync(Quotas, $$$"""{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"{{{name}}}"},"spec":{"hard":{{{hard}}}}}""");
        var status = await SendAsync(HttpMethod.Patch, $"{Quotas}/{name}/status", $$$"""{"status":{"hard":{{{hard}}},"used":{{{used}}}}}""", "application/merge-patch+json");
        Assert.That(status.Code, Is.EqualTo(200), status.Body);
    }

    private static string Pod(string name, string resources) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{"containers":[{"name":"main","image":"busybox","resources":{{{resources}}}}]}}""";

    private async Task<JsonObject> CreateAsync(string path, string body)
    {
        var created = await SendAsync(HttpMethod.Post, path, body);
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        return Json(created.Body);
    }

    private static JsonObject Json(string text) => RawHttp.Json(text);

    private async Task<(int Code, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
