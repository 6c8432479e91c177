using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// Pod Security admission over HTTP: the namespace labels enforce (403 with upstream's message)
/// and warn (Warning headers) on pods, only warn on workloads, are validated (422), and a
/// stricter enforce label reviews the pods already there.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class PodSecurityTests : ApiServerFixture
{
    private const string PlainPod = """{"metadata":{"name":"plain"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";
    private const string RestrictedPod = """
        {"metadata":{"name":"locked"},"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
         "containers":[{"name":"c","image":"busybox","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}
        """;
    private const string PrivilegedPod = """{"metadata":{"name":"root"},"spec":{"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true}}]}}""";

    private const string RestrictedViolations =
        "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), "
        + "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), "
        + "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
        + "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

    [Test]
    public async Task EnforceRestricted_PlainPod_Is403WithUpstreamsMessage_CompliantPodIsStored()
    {
        await CreateNamespaceAsync("locked", ("enforce", "restricted"));

        var refused = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/locked/pods", PlainPod);

        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        var status = RawHttp.Json(refused.Body);
        Assert.Multiple(() =>
        {
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("Forbidden"));
            Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo($"pods \"plain\" is forbidden: violates PodSecurity \"restricted:latest\": {RestrictedViolations}"));
            Assert.That(status["details"]!["name"]!.GetValue<string>(), Is.EqualTo("plain"));
            Assert.That(status["details"]!["kind"]!.GetValue<string>(), Is.EqualTo("pods"));
            Assert.That(refused.Warnings, Is.Empty);
        });
        Assert.That((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/locked/pods/plain")).Code, Is.EqualTo(404));

        var stored = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/locked/pods", RestrictedPod);
        Assert.That(stored.Code, Is.EqualTo(201), stored.Body);
        Assert.That(stored.Warnings, Is.Empty);
    }

    [Test]
    public async Task EnforceVersion_OlderPolicy_RunsThatVersionsChecks()
    {
        // v1.7 knew neither allowPrivilegeEscalation nor the restricted capabilities and seccomp checks.
        await CreateNamespaceAsync("old", ("enforce", "restricted"), ("enforce-version", "v1.7"));

        var refused = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/old/pods", PlainPod);

        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(), Is.EqualTo(
            "pods \"plain\" is forbidden: violates PodSecurity \"restricted:v1.7\": runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true)"));
    }

    [Test]
    public async Task WarnBaseline_PrivilegedPod_IsStoredWithAWarningHeader()
    {
        await CreateNamespaceAsync("warned", ("warn", "baseline"));

        var created = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/warned/pods", PrivilegedPod);

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(created.Warnings, Is.EqualTo(new[] { "would violate PodSecurity \"baseline:latest\": privileged (container \"c\" must not set securityContext.privileged=true)" }));
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/warned/pods", PlainPod)).Warnings, Is.Empty);
    }

    [Test]
    public async Task Deployment_InAnEnforcingNamespace_IsAdmittedWithAWarning()
    {
        await CreateNamespaceAsync("locked", ("enforce", "restricted"));
        const string deployment = """
            {"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},
             "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}
            """;

        var created = await SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/locked/deployments", deployment);

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(created.Warnings, Is.EqualTo(new[] { $"would violate PodSecurity \"restricted:latest\": {RestrictedViolations}" }));
    }

    [Test]
    public async Task CronJob_TemplateIsFoundUnderJobTemplate()
    {
        await CreateNamespaceAsync("jobs", ("warn", "baseline"));
        const string cronJob = """
            {"metadata":{"name":"nightly"},"spec":{"schedule":"0 0 * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
             "hostNetwork":true,"containers":[{"name":"c","image":"busybox"}]}}}}}}
            """;

        var created = await SendAsync(HttpMethod.Post, "/apis/batch/v1/namespaces/jobs/cronjobs", cronJob);

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(created.Warnings, Is.EqualTo(new[] { "would violate PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)" }));
    }

    [Test]
    public async Task InvalidLabels_Are422_OnCreateAndOnAnUpdateThatIntroducesThem()
    {
        var created = await SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            """{"metadata":{"name":"bad","labels":{"pod-security.kubernetes.io/enforce":"strict","pod-security.kubernetes.io/warn-version":"1.25"}}}""");

        Assert.That(created.Code, Is.EqualTo(422), created.Body);
        var status = RawHttp.Json(created.Body);
        Assert.Multiple(() =>
        {
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("Invalid"));
            Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo(
                "Namespace \"bad\" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, "
                + "metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: \"1.25\": must be \"latest\" or \"v1.x\"]"));
            Assert.That(status["details"]!["causes"]![0]!["field"]!.GetValue<string>(), Is.EqualTo("metadata.labels[pod-security.kubernetes.io/enforce]"));
        });
        Assert.That((await SendAsync(HttpMethod.Get, "/api/v1/namespaces/bad")).Code, Is.EqualTo(404));

        await CreateNamespaceAsync("good");
        var patched = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/good", """{"metadata":{"labels":{"pod-security.kubernetes.io/audit":"loose"}}}""", "application/merge-patch+json");
        Assert.That(patched.Code, Is.EqualTo(422), patched.Body);
        Assert.That(RawHttp.Json(patched.Body)["message"]!.GetValue<string>(), Is.EqualTo(
            "Namespace \"good\" is invalid: metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: \"loose\": must be one of privileged, baseline, restricted"));
    }

    [Test]
    public async Task StricterEnforceLabel_WarnsAboutExistingPods_AndThenRefusesNewOnes()
    {
        await CreateNamespaceAsync("apps");
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces/apps/pods", PrivilegedPod)).Code, Is.EqualTo(201));

        var labelled = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/apps", """{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"baseline"}}}""", "application/merge-patch+json");

        Assert.That(labelled.Code, Is.EqualTo(200), labelled.Body);
        Assert.That(labelled.Warnings, Is.EqualTo(new[]
        {
            "existing pods in namespace \"apps\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "root: privileged",
        }));
        // The namespace reaches admission through the watch cache: the new level applies once it is there.
        var refused = await EventuallyAsync(() => SendAsync(HttpMethod.Post, "/api/v1/namespaces/apps/pods", PrivilegedPod.Replace("\"root\"", "\"root2\"", StringComparison.Ordinal)), r => r.Code != 201);
        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        // An update that changes no image is not checked again, so the existing pod can still be relabelled.
        var relabelled = await SendAsync(HttpMethod.Patch, "/api/v1/namespaces/apps/pods/root", """{"metadata":{"labels":{"x":"y"}}}""", "application/merge-patch+json");
        Assert.That(relabelled.Code, Is.EqualTo(200), relabelled.Body);
    }

    private async Task CreateNamespaceAsync(string name, params (string Mode, string Value)[] labels)
    {
        var map = new JsonObject();
        foreach (var (mode, value) in labels)
        {
            map["pod-security.kubernetes.io/" + mode] = value;
        }
        var body = new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = map } };
        var created = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", body.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
    }

    private static async Task<Answer> EventuallyAsync(Func<Task<Answer>> attempt, Func<Answer, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var answer = await attempt();
        while (!done(answer) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            answer = await attempt();
        }
        return answer;
    }

    private async Task<Answer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }
        using var response = await Client.HttpClient.SendAsync(request);
        var warnings = response.Headers.TryGetValues("Warning", out var values) ? values.Select(WarningText).ToList() : [];
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), warnings);
    }

    // `299 - "text"` with the text's quotes and backslashes escaped.
    private static string WarningText(string header)
    {
        var quoted = header[(header.IndexOf('"', StringComparison.Ordinal) + 1)..header.LastIndexOf('"')];
        return quoted.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
    }

    private sealed record Answer(int Code, string Body, IReadOnlyList<string> Warnings);
}
