using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>
/// CustomResourceDefinitions with the real kubectl and Helm 4 against one <c>mkube server</c>
/// (issue 13 §1's "Done when"): a CRD with a schema, a CEL rule, status and scale subresources,
/// printer columns and two versions is applied, its objects created, refused with a 422 naming
/// the field, scaled, status-updated and deleted with the CRD; a chart with <c>crds/</c> and
/// <c>templates/</c> installs, upgrades and uninstalls. The API server alone (no agent, scheduler
/// or controllers): everything here is the API server's. No pods are started.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class CustomResourceDefinitionTests : ApiServerAloneFixture
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.e2e.example.com
        spec:
          group: e2e.example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wdg], categories: [all]}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - {rule: "self.size <= 10", message: "size must be at most 10"}
                    properties:
                      size: {type: integer, minimum: 0, description: "How big the widget is, in widget units."}
                      color: {type: string, default: blue}
                      replicas: {type: integer}
                  status:
                    type: object
                    properties:
                      replicas: {type: integer}
                      selector: {type: string}
            subresources:
              status: {}
              scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
            additionalPrinterColumns:
            - {name: Size, type: integer, jsonPath: .spec.size}
          - name: v1beta1
            served: true
            storage: false
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    private const string Widget = """
        apiVersion: e2e.example.com/v1
        kind: Widget
        metadata: {name: w1}
        spec: {size: 3, replicas: 1}
        """;


    [Test]
    public async Task Kubectl_CrdWithSchemaRulesSubresourcesAndVersions_Lifecycle()
    {
        Assert.That(await Stdin(Crd, "apply", "-f", "-"), Does.Contain("customresourcedefinition.apiextensions.k8s.io/widgets.e2e.example.com created"));
        Assert.That(await Kubectl.OkAsync("get", "crd", "widgets.e2e.example.com", "-o", "jsonpath={.status.conditions[?(@.type==\"Established\")].status}"), Is.EqualTo("True"));
        Assert.That(await Kubectl.OkAsync("api-resources", "--api-group=e2e.example.com"), Does.Match(@"widgets\s+wdg\s+e2e.example.com/v1\s+true\s+Widget"));

        Assert.That(await Stdin(Widget, "apply", "-n", "default", "-f", "-"), Does.Contain("widget.e2e.example.com/w1 created"));
        Assert.That(await Kubectl.OkAsync("get", "wdg", "w1", "-n", "default", "-o", "jsonpath={.spec.color}"), Is.EqualTo("blue"), "schema default");
        Assert.That(await Kubectl.OkAsync("get", "all", "-n", "default"), Does.Contain("widget.e2e.example.com/w1"));
        Assert.That(await Kubectl.OkAsync("get", "widgets", "-n", "default"), Is.EqualTo("NAME   SIZE\nw1     3\n"), "Name, then the declared columns (Age only when none are declared, as upstream)");
        Assert.That(await Kubectl.OkAsync("explain", "widgets.spec.size"), Does.Contain("How big the widget is, in widget units."));

        var tooBig = await Kubectl.RunWithAsync(Widget.Replace("size: 3", "size: 11", StringComparison.Ordinal), null, "apply", "-n", "default", "-f", "-");
        Assert.That(tooBig.ExitCode, Is.Not.Zero);
        Assert.That(tooBig.Error, Does.Contain("The Widget \"w1\" is invalid: spec: Invalid value: \"object\": size must be at most 10"));
        var negative = await Kubectl.RunWithAsync(Widget.Replace("size: 3", "size: -1", StringComparison.Ordinal), null, "apply", "-n", "default", "-f", "-");
        Assert.That(negative.Error, Does.Contain("spec.size: Invalid value: -1: spec.size in body should be greater than or equal to 0"));

        Assert.That(await Kubectl.OkAsync("scale", "widget", "w1", "-n", "default", "--replicas=4"), Does.Contain("widget.e2e.example.com/w1 scaled"));
        Assert.That(await Kubectl.OkAsync("get", "widget", "w1", "-n", "default", "-o", "jsonpath={.spec.replicas}"), Is.EqualTo("4"));
        await Kubectl.OkAsync("patch", "widget", "w1", "-n", "default", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"replicas\":4,\"selector\":\"app=w\"}}");
        Assert.That(await Kubectl.OkAsync("get", "widget", "w1", "-n", "default", "-o", "jsonpath={.status.replicas}/{.metadata.generation}"), Is.EqualTo("4/2"));
        var smp = await Kubectl.RunAsync("patch", "widget", "w1", "-n", "default", "-p", "{\"spec\":{\"size\":5}}");
        Assert.That(smp.Error, Does.Contain("application/strategic-merge-patch+json is not supported"));
        Assert.That(await Kubectl.OkAsync("get", "widgets.v1beta1.e2e.example.com", "w1", "-n", "default", "-o", "jsonpath={.apiVersion}"), Is.EqualTo("e2e.example.com/v1beta1"));

        Assert.That(await Kubectl.OkAsync("delete", "crd", "widgets.e2e.example.com"), Does.Contain("deleted"));
        var gone = await Kubectl.RunAsync("get", "crd", "widgets.e2e.example.com");
        Assert.That(gone.Error, Does.Contain("NotFound"));
        var raw = await Kubectl.RunAsync("get", "--raw", "/apis/e2e.example.com/v1/namespaces/default/widgets");
        Assert.That(raw.Error, Does.Contain("NotFound"));
    }

    [Test]
    public async Task Helm_ChartWithCrdsAndTemplates_InstallsUpgradesUninstalls()
    {
        var chart = Directory.CreateDirectory(Path.Combine(DataDir, "chart")).FullName;
        Directory.CreateDirectory(Path.Combine(chart, "crds"));
        Directory.CreateDirectory(Path.Combine(chart, "templates"));
        await File.WriteAllTextAsync(Path.Combine(chart, "Chart.yaml"), "apiVersion: v2\nname: gadgets\nversion: 0.1.0\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "values.yaml"), "size: 2\n");
        await File.WriteAllTextAsync(Path.Combine(chart, "crds", "gadgets.yaml"), TestCrds.Sized("e2e.example.org", "gadgets", "Gadget"));
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "gadget.yaml"), """
            apiVersion: e2e.example.org/v1
            kind: Gadget
            metadata: {name: "{{ .Release.Name }}-g"}
            spec: {size: {{ .Values.size }}}
            """);

        // Charts carry their RBAC: an account, a Role over the chart's own resource, a binding.
        await File.WriteAllTextAsync(Path.Combine(chart, "templates", "rbac.yaml"), """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: "{{ .Release.Name }}-operator"}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: "{{ .Release.Name }}-gadget-reader"}
            rules:
            - apiGroups: [e2e.example.org]
              resources: [gadgets]
              verbs: [get, list, watch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: "{{ .Release.Name }}-operator-reads-gadgets"}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: "{{ .Release.Name }}-gadget-reader"}
            subjects:
            - {kind: ServiceAccount, name: "{{ .Release.Name }}-operator", namespace: "{{ .Release.Namespace }}"}
            """);

        Assert.That(await HelmAsync("install", "demo", chart, "--namespace", "default"), Does.Contain("STATUS: deployed"));
        Assert.That(await Kubectl.OkAsync("get", "gadget", "demo-g", "-n", "default", "-o", "jsonpath={.spec.size}"), Is.EqualTo("2"));
        const string Operator = "--as=system:serviceaccount:default:demo-operator";
        Assert.That(await Kubectl.OkAsync("auth", "can-i", "list", "gadgets.e2e.example.org", Operator), Is.EqualTo("yes\n"));
        Assert.That(await Kubectl.OkAsync("get", "gadgets", Operator, "-o", "name"), Is.EqualTo("gadget.e2e.example.org/demo-g\n"));
        var refused = await Kubectl.RunAsync("delete", "gadget", "demo-g", Operator);
        Assert.That(refused.Error, Does.Contain("gadgets.e2e.example.org \"demo-g\" is forbidden: User \"system:serviceaccount:default:demo-operator\" cannot delete resource \"gadgets\" in API group \"e2e.example.org\" in the namespace \"default\""));
        Assert.That(await HelmAsync("upgrade", "demo", chart, "--namespace", "default", "--set", "size=5", "--wait", "--timeout", "60s"), Does.Contain("has been upgraded"));
        Assert.That(await Kubectl.OkAsync("get", "gadget", "demo-g", "-n", "default", "-o", "jsonpath={.spec.size}"), Is.EqualTo("5"));
        Assert.That(await HelmAsync("uninstall", "demo", "--namespace", "default"), Does.Contain("release \"demo\" uninstalled"));
        Assert.That(await Kubectl.OkAsync("get", "gadgets", "-n", "default", "-o", "name"), Is.Empty);
        Assert.That(await Kubectl.OkAsync("get", "roles,rolebindings,serviceaccounts", "-n", "default", "-o", "name"), Is.EqualTo("serviceaccount/default\n").Or.Empty, "the chart's RBAC goes with it");
    }

    private async Task<string> Stdin(string input, params string[] args)
    {
        var result = await Kubectl.RunWithAsync(input, null, args);
        Assert.That(result.ExitCode, Is.Zero, $"kubectl {string.Join(' ', args)}\n{result}");
        return result.Output;
    }

    private async Task<string> HelmAsync(params string[] args)
    {
        var info = new ProcessStartInfo("helm") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["KUBECONFIG"] = KubeconfigPath;
        info.Environment["HELM_CACHE_HOME"] = Path.Combine(DataDir, "helm-cache");
        info.Environment["HELM_CONFIG_HOME"] = Path.Combine(DataDir, "helm-config");
        info.Environment["HELM_DATA_HOME"] = Path.Combine(DataDir, "helm-data");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.That(process.ExitCode, Is.Zero, $"helm {string.Join(' ', args)}\n{await output}\n{await error}");
        return await output;
    }
}
