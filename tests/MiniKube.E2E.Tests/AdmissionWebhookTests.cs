using System.Text.Json.Nodes;
using MiniKube.Testing;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Admission webhooks with the real kubectl against <c>mkube server</c> (issue 13's "Done when"):
/// the test process hosts a real HTTPS webhook server (its own CA in caBundle), registered by
/// url; kubectl's creates are mutated and denied as configured, and when the webhook server is
/// down the failure policies decide. ConfigMaps only: no pods are started.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class AdmissionWebhookTests : ApiServerAloneFixture
{
    [Test]
    public async Task KubectlCreate_MutatedAndDenied_ThenFailurePoliciesWhenTheWebhookIsDown()
    {
        var webhook = await TestWebhookServer.StartAsync(Path.Combine(DataDir, "webhook-tls"), (path, request) =>
        {
            var name = request["name"]?.GetValue<string>() ?? "";
            var answer = path switch
            {
                "/mutate" => TestWebhookServer.Patch([new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/webhook", ["value"] = "mutated" }]),
                _ when name.StartsWith("forbidden", StringComparison.Ordinal) => TestWebhookServer.Deny("forbidden names are not allowed"),
                _ => TestWebhookServer.Allow(),
            };
            return Task.FromResult(answer);
        });
        await using var _ = webhook;
        var caBundle = Convert.ToBase64String(webhook.CaBundle);
        await Apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: hooked\n  labels:\n    webhooks: \"on\"\n");
        await Apply(Configuration("MutatingWebhookConfiguration", "label.e2e.example.com", webhook.Url("/mutate"), caBundle, "Ignore"));
        await Apply(Configuration("ValidatingWebhookConfiguration", "deny.e2e.example.com", webhook.Url("/validate"), caBundle, "Fail"));
        Assert.That(await Kubectl.OkAsync("get", "validatingwebhookconfigurations"), Does.Match(@"deny\.e2e\.example\.com\s+1\s+\d+s"));

        // The configurations reach the plugins through the watch cache: the first create may precede them.
        var mutated = "";
        for (var attempt = 0; attempt < 50 && mutated != "mutated"; attempt++)
        {
            await Kubectl.RunWithAsync(ConfigMap($"plain-{attempt}"), null, "create", "-f", "-");
            mutated = (await Kubectl.RunAsync("get", "configmap", $"plain-{attempt}", "-n", "hooked", "-o", "jsonpath={.metadata.labels.webhook}")).Output;
        }
        Assert.That(mutated, Is.EqualTo("mutated"));

        var denied = await Kubectl.RunWithAsync(ConfigMap("forbidden-one"), null, "create", "-f", "-");
        Assert.That(denied.ExitCode, Is.Not.Zero, denied.ToString());
        Assert.That(denied.Error, Does.Contain("Error from server (Forbidden)")
            .And.Contain("admission webhook \"deny.e2e.example.com\" denied the request: forbidden names are not allowed"), denied.ToString());

        await webhook.StopAsync();

        var failed = await Kubectl.RunWithAsync(ConfigMap("while-down"), null, "create", "-f", "-");
        Assert.That(failed.ExitCode, Is.Not.Zero, failed.ToString());
        Assert.That(failed.Error, Does.Contain("Internal error occurred: failed calling webhook \"deny.e2e.example.com\": failed to call webhook: Post \"" + webhook.Url("/validate") + "?timeout=10s\"")
            .And.Contain("connect: connection refused"), failed.ToString());

        await Kubectl.OkAsync("patch", "validatingwebhookconfiguration", "deny.e2e.example.com", "--type=json",
            "-p", """[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]""");
        KubectlResult ignored = null!;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            ignored = await Kubectl.RunWithAsync(ConfigMap($"ignored-{attempt}"), null, "create", "-f", "-");
            if (ignored.ExitCode == 0)
            {
                break;
            }
        }
        Assert.That(ignored.ExitCode, Is.Zero, ignored.ToString());
        Assert.That(ignored.Output, Does.Contain("created"));
    }

    private async Task Apply(string manifest)
    {
        var result = await Kubectl.RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    private static string ConfigMap(string name) => $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: hooked\n  labels:\n    app: e2e\ndata:\n  a: b\n";

    private static string Configuration(string kind, string name, string url, string caBundle, string failurePolicy) => $"""
        apiVersion: admissionregistration.k8s.io/v1
        kind: {kind}
        metadata:
          name: {name}
        webhooks:
        - name: {name}
          clientConfig:
            url: {url}
            caBundle: {caBundle}
          rules:
          - operations: ["CREATE"]
            apiGroups: [""]
            apiVersions: ["v1"]
            resources: ["configmaps"]
          namespaceSelector:
            matchLabels:
              webhooks: "on"
          failurePolicy: {failurePolicy}
          sideEffects: None
          admissionReviewVersions: ["v1"]
        """;
}
