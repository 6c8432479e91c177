using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// ValidatingAdmissionPolicy end to end over HTTP: policies and bindings created through the API
/// reach the plugin through the watch cache, then deny (422 by default, upstream's message),
/// warn (Warning header), read params from a ConfigMap, and follow a namespaceSelector.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ValidatingAdmissionPolicyTests : ApiServerFixture
{
    private const string Policies = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies";
    private const string Bindings = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings";
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    private int _serial;

    [Test]
    public async Task DenyPolicy_DeploymentWithTooManyReplicas_Is422WithUpstreamMessage_SmallerOneIsStored()
    {
        await CreateAsync(Policies, Policy("max-replicas", "object.spec.replicas <= 5", message: "replicas must be no greater than 5"));
        await CreateAsync(Bindings, Binding("max-replicas-binding", "max-replicas", "Deny"));

        var refused = await EventuallyAsync(() => CreateDeploymentAsync("big", 6), r => r.Code != 201);

        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        var status = RawHttp.Json(refused.Body);
        var expected = "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5";
        Assert.Multiple(() =>
        {
            Assert.That(status["reason"]!.GetValue<string>(), Is.EqualTo("Invalid"));
            Assert.That(status["message"]!.GetValue<string>(), Is.EqualTo($"deployments.apps \"{refused.Name}\" is forbidden: {expected}"));
            Assert.That(status["details"]!["causes"]![0]!["message"]!.GetValue<string>(), Is.EqualTo(expected));
        });
        Assert.That((await SendAsync(HttpMethod.Get, Deployments + "/" + refused.Name)).Code, Is.EqualTo(404));
        Assert.That((await CreateDeploymentAsync("small", 5)).Code, Is.EqualTo(201));
    }

    [Test]
    public async Task WarnPolicy_FailedValidation_IsAWarningHeader_AndTheObjectIsStored()
    {
        await CreateAsync(Policies, Policy("warn-replicas", "object.spec.replicas < 3", messageExpression: "'replicas is ' + string(object.spec.replicas)"));
        await CreateAsync(Bindings, Binding("warn-binding", "warn-replicas", "Warn", "Audit"));

        var created = await EventuallyAsync(() => CreateDeploymentAsync("warned", 4), r => r.Warnings.Count > 0);

        Assert.That(created.Code, Is.EqualTo(201), created.Body);
        Assert.That(created.Warnings, Is.EqualTo(new[] { "Validation failed for ValidatingAdmissionPolicy 'warn-replicas' with binding 'warn-binding': replicas is 4" }));
    }

    [Test]
    public async Task ParamKindConfigMap_MissingParamDenies_ThenTheParamsLimitApplies()
    {
        var policy = Policy("param-replicas", "object.spec.replicas <= int(params.data.maxReplicas)", reason: "Forbidden");
        policy["spec"]!["paramKind"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap" };
        await CreateAsync(Policies, policy);
        var binding = Binding("param-binding", "param-replicas", "Deny");
        binding["spec"]!["paramRef"] = new JsonObject { ["name"] = "limits", ["namespace"] = "default", ["parameterNotFoundAction"] = "Deny" };
        await CreateAsync(Bindings, binding);

        var missing = await EventuallyAsync(() => CreateDeploymentAsync("noparams", 1), r => r.Code != 201);
        Assert.That(missing.Code, Is.EqualTo(422), missing.Body);
        Assert.That(RawHttp.Json(missing.Body)["message"]!.GetValue<string>(), Does.EndWith(
            "ValidatingAdmissionPolicy 'param-replicas' with binding 'param-binding' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"));

        await CreateAsync("/api/v1/namespaces/default/configmaps", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "limits" }, ["data"] = new JsonObject { ["maxReplicas"] = "2" } });
        var refused = await EventuallyAsync(() => CreateDeploymentAsync("three", 3), r => r.Code == 403);
        Assert.That(refused.Code, Is.EqualTo(403), refused.Body);
        Assert.That(RawHttp.Json(refused.Body)["reason"]!.GetValue<string>(), Is.EqualTo("Forbidden"));
        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(), Does.EndWith("denied request: failed expression: object.spec.replicas <= int(params.data.maxReplicas)"));
        Assert.That((await CreateDeploymentAsync("two", 2)).Code, Is.EqualTo(201));
    }

    [Test]
    public async Task BindingNamespaceSelector_OnlyLabelledNamespacesAreChecked()
    {
        Assert.That((await SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"metadata":{"name":"prod","labels":{"env":"prod"}}}""")).Code, Is.EqualTo(201));
        await CreateAsync(Policies, Policy("no-replicas", "object.spec.replicas == 0"));
        var binding = Binding("prod-only", "no-replicas", "Deny");
        binding["spec"]!["matchResources"] = new JsonObject { ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["env"] = "prod" } } };
        await CreateAsync(Bindings, binding);

        var refused = await EventuallyAsync(() => CreateDeploymentAsync("p", 1, "prod"), r => r.Code != 201);

        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        Assert.That(RawHttp.Json(refused.Body)["message"]!.GetValue<string>(), Does.EndWith("denied request: failed expression: object.spec.replicas == 0"));
        Assert.That((await CreateDeploymentAsync("d", 1)).Code, Is.EqualTo(201));
    }

    [Test]
    public async Task InvalidPolicyAndBinding_Are422NamingTheFields()
    {
        var policy = Policy("broken", "object.spec.replicas <=");
        policy["spec"]!.AsObject().Remove("matchConstraints");
        var refused = await SendAsync(HttpMethod.Post, Policies, policy.ToJsonString());
        Assert.That(refused.Code, Is.EqualTo(422), refused.Body);
        var causes = RawHttp.Json(refused.Body)["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToList();
        Assert.That(causes, Is.EquivalentTo(new[] { "spec.matchConstraints", "spec.validations[0].expression" }));

        var binding = await SendAsync(HttpMethod.Post, Bindings, Binding("both", "p", "Deny", "Warn").ToJsonString());
        Assert.That(binding.Code, Is.EqualTo(422), binding.Body);
        Assert.That(RawHttp.Json(binding.Body)["message"]!.GetValue<string>(), Does.Contain("must not contain both Deny and Warn"));
    }

    private static JsonObject Policy(string name, string expression, string? message = null, string? messageExpression = null, string? reason = null)
    {
        var validation = new JsonObject { ["expression"] = expression };
        if (message is not null)
        {
            validation["message"] = message;
        }
        if (messageExpression is not null)
        {
            validation["messageExpression"] = messageExpression;
        }
        if (reason is not null)
        {
            validation["reason"] = reason;
        }
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["matchConstraints"] = new JsonObject
                {
                    ["resourceRules"] = new JsonArray(new JsonObject
                    {
                        ["apiGroups"] = new JsonArray("apps"),
                        ["apiVersions"] = new JsonArray("v1"),
                        ["operations"] = new JsonArray("CREATE", "UPDATE"),
                        ["resources"] = new JsonArray("deployments"),
                    }),
                },
                ["validations"] = new JsonArray(validation),
            },
        };
    }

    private static JsonObject Binding(string name, string policy, params string[] actions) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["policyName"] = policy, ["validationActions"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]) },
    };

    private async Task CreateAsync(string collection, JsonObject obj)
    {
        var created = await SendAsync(HttpMethod.Post, collection, obj.ToJsonString());
        Assert.That(created.Code, Is.EqualTo(201), created.Body);
    }

    private async Task<Result> CreateDeploymentAsync(string prefix, int replicas, string ns = "default")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _serial).ToString(CultureInfo.InvariantCulture)}";
        var template = """{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";
        var body = "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"replicas\":" + replicas.ToString(CultureInfo.InvariantCulture)
            + ""","selector":{"matchLabels":{"app":"a"}},"template":""" + template + "}}";
        var (code, text, warnings) = await SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", body);
        return new Result(name, code, text, warnings);
    }

    /// <summary>Repeats a write until it shows the expected effect: policies reach the plugin through the watch cache.</summary>
    private static async Task<Result> EventuallyAsync(Func<Task<Result>> attempt, Func<Result, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var result = await attempt();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                return result;
            }
            await Task.Delay(50);
        }
    }

    private async Task<(int Code, string Body, IReadOnlyList<string> Warnings)> SendAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(Server.Server.Address, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        using var response = await Client.HttpClient.SendAsync(request);
        // "299 - "text"": the agent is "-" and the text is quoted.
        var warnings = response.Headers.TryGetValues("Warning", out var values)
            ? values.Select(v => v[(v.IndexOf('"', StringComparison.Ordinal) + 1)..v.LastIndexOf('"')]).ToList()
            : [];
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), warnings);
    }

    private sealed record Result(string Name, int Code, string Body, IReadOnlyList<string> Warnings);
}
