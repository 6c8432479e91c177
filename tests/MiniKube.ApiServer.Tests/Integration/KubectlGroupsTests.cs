using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// The real kubectl (1.32, which sends protobuf bodies) against an in-process API server for the
/// built-in groups: create ingress, get with server-side columns, autoscale, explain and
/// certificate approve; a ValidatingAdmissionPolicy denying a create.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class KubectlGroupsTests : ApiServerFixture
{
    [Test]
    public async Task CreateIngress_ProtobufBody_IsStoredAsTheJsonEquivalent()
    {
        var result = await KubectlAsync("create", "ingress", "demo", "--rule=foo.com/bar*=svc1:8080,tls=my-cert", "--class=nginx");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);

        var ingress = JsonNode.Parse((await KubectlAsync("get", "ingress", "demo", "-o", "json")).Output)!;
        Assert.That(ingress["spec"]!["ingressClassName"]!.GetValue<string>(), Is.EqualTo("nginx"));
        Assert.That(ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["pathType"]!.GetValue<string>(), Is.EqualTo("Prefix"));
        Assert.That(ingress["spec"]!["tls"]![0]!["secretName"]!.GetValue<string>(), Is.EqualTo("my-cert"));

        var table = await KubectlAsync("get", "ing,netpol,hpa,csr");
        Assert.That(table.ExitCode, Is.EqualTo(0), table.Error);
        Assert.That(table.Output, Does.Match(@"NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE"));
        Assert.That(table.Output, Does.Match(@"ingress\.networking\.k8s\.io/demo\s+nginx\s+foo\.com\s+80, 443"));
    }

    [Test]
    public async Task CreatePriorityClass_GetPc_ShowsItBesideTheSystemClasses()
    {
        var created = await KubectlAsync("create", "priorityclass", "high", "--value=1000", "--description=important", "--preemption-policy=Never");
        Assert.That(created.ExitCode, Is.EqualTo(0), created.Error);

        var table = await KubectlAsync("get", "pc");
        Assert.That(table.ExitCode, Is.EqualTo(0), table.Error);
        Assert.That(table.Output, Does.Match(@"NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY"));
        Assert.That(table.Output, Does.Match(@"high\s+1000\s+false\s+\S+\s+Never"));
        Assert.That(table.Output, Does.Match(@"system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority"));
        var refused = await KubectlAsync("delete", "pc", "system-cluster-critical");
        Assert.That(refused.Error, Does.Contain("this is a system priority class and cannot be deleted"));
    }

    [Test]
    public async Task Autoscale_Deployment_CreatesAnHpaShownWithItsColumns()
    {
        Assert.That((await KubectlAsync("create", "deployment", "web", "--image=busybox")).ExitCode, Is.EqualTo(0));

        var result = await KubectlAsync("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=70");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);

        var table = await KubectlAsync("get", "hpa");
        Assert.That(table.Output, Does.Match(@"NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE"));
        Assert.That(table.Output, Does.Match(@"web\s+Deployment/web\s+cpu: <unknown>/70%\s+2\s+5\s+0"));
        var v1 = (await KubectlAsync("get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "json")).Output;
        Assert.That(JsonNode.Parse(v1)!["spec"]!["targetCPUUtilizationPercentage"]?.GetValue<long>(), Is.EqualTo(70), v1);
    }

    [Test]
    public async Task Explain_IngressSpec_DescribesTheFields()
    {
        var result = await KubectlAsync("explain", "ingress.spec");

        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        Assert.That(result.Output, Does.Contain("KIND:       Ingress").And.Contain("ingressClassName").And.Contain("rules"));
    }

    [Test]
    public async Task CertificateApprove_SetsApprovedCondition()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Convert.ToBase64String(Encoding.UTF8.GetBytes(new CertificateRequest("CN=alice", key, HashAlgorithmName.SHA256).CreateSigningRequestPem()));
        var manifest = Path.Combine(Server.Directory, "csr.json");
        await File.WriteAllTextAsync(manifest, $$$"""
            {"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"alice"},
            "spec":{"request":"{{{request}}}","signerName":"kubernetes.io/kube-apiserver-client","usages":["client auth"]}}
            """);
        Assert.That((await KubectlAsync("create", "-f", manifest)).ExitCode, Is.EqualTo(0));

        var approve = await KubectlAsync("certificate", "approve", "alice");
        Assert.That(approve.ExitCode, Is.EqualTo(0), approve.Error);

        var table = await KubectlAsync("get", "csr");
        Assert.That(table.Output, Does.Match(@"NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION"));
        Assert.That(table.Output, Does.Match(@"alice\s+\S+\s+kubernetes\.io/kube-apiserver-client\s+\S+\s+<none>\s+Approved"));
    }

    [Test]
    public async Task QuotaAndLimits_CreateGetDescribe_ShowWhatKubectlReads()
    {
        Assert.That((await KubectlAsync("create", "quota", "q1", "--hard=pods=2,requests.cpu=1,limits.memory=1Gi")).ExitCode, Is.EqualTo(0));
        var manifest = Path.Combine(Server.Directory, "limits.json");
        await File.WriteAllTextAsync(manifest, """
            {"apiVersion":"v1","kind":"LimitRange","metadata":{"name":"bounds"},"spec":{"limits":[{"type":"Container",
            "min":{"cpu":"100m"},"max":{"cpu":"2"},"default":{"cpu":"500m"},"defaultRequest":{"cpu":"200m"}}]}}
            """);
        Assert.That((await KubectlAsync("apply", "-f", manifest)).ExitCode, Is.EqualTo(0));
        // What the quota controller would write.
        var status = await KubectlAsync("patch", "quota", "q1", "--subresource=status", "--type=merge",
            "-p", """{"status":{"hard":{"pods":"2","requests.cpu":"1","limits.memory":"1Gi"},"used":{"pods":"1","requests.cpu":"250m","limits.memory":"0"}}}""");
        Assert.That(status.ExitCode, Is.EqualTo(0), status.Error);

        var table = await KubectlAsync("get", "quota,limits");
        Assert.That(table.Output, Does.Match(@"NAME\s+AGE\s+REQUEST\s+LIMIT"));
        Assert.That(table.Output, Does.Match(@"resourcequota/q1\s+\S+\s+pods: 1/2, requests.cpu: 250m/1\s+limits.memory: 0/1Gi"));
        Assert.That(table.Output, Does.Match(@"NAME\s+CREATED AT"));
        var quota = await KubectlAsync("describe", "quota", "q1");
        Assert.That(quota.ExitCode, Is.EqualTo(0), quota.Error);
        Assert.That(quota.Output, Does.Match(@"Resource\s+Used\s+Hard").And.Match(@"pods\s+1\s+2").And.Match(@"requests.cpu\s+250m\s+1"));
        var limits = await KubectlAsync("describe", "limits", "bounds");
        Assert.That(limits.ExitCode, Is.EqualTo(0), limits.Error);
        Assert.That(limits.Output, Does.Match(@"Container\s+cpu\s+100m\s+2\s+200m\s+500m"));
    }

    [Test]
    public async Task Apply_ManifestOfEveryGroup_CreatesThenPatchesUnchanged()
    {
        var manifest = Path.Combine(Server.Directory, "groups.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata:
              name: mkube
              annotations:
                ingressclass.kubernetes.io/is-default-class: "true"
            spec:
              controller: mkube.io/ingress
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: deny-all
            spec:
              podSelector: {}
              policyTypes: [Ingress, Egress]
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
              name: web
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 2
              maxReplicas: 10
              metrics:
              - type: Resource
                resource: {name: memory, target: {type: AverageValue, averageValue: 500Mi}}
              behavior:
                scaleDown: {stabilizationWindowSeconds: 300}
            ---
            apiVersion: node.k8s.io/v1
            kind: RuntimeClass
            metadata:
              name: gvisor
            handler: runsc
            overhead:
              podFixed: {cpu: 250m, memory: 120Mi}
            ---
            apiVersion: storage.k8s.io/v1
            kind: CSIDriver
            metadata:
              name: hostpath.csi.k8s.io
            spec:
              attachRequired: false
              podInfoOnMount: true
              volumeLifecycleModes: [Persistent, Ephemeral]
            ---
            apiVersion: v1
            kind: PodTemplate
            metadata:
              name: tpl
            template:
              metadata: {labels: {app: tpl}}
              spec:
                containers: [{name: c, image: busybox}]
            """);

        var first = await KubectlAsync("apply", "-f", manifest);
        Assert.That(first.ExitCode, Is.EqualTo(0), first.Error);
        Assert.That(first.Output, Does.Contain("horizontalpodautoscaler.autoscaling/web created"));

        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest)).Replace("maxReplicas: 10", "maxReplicas: 12", StringComparison.Ordinal));
        var second = await KubectlAsync("apply", "-f", manifest);
        Assert.That(second.ExitCode, Is.EqualTo(0), second.Error);
        Assert.That(second.Output, Does.Contain("horizontalpodautoscaler.autoscaling/web configured").And.Contain("networkpolicy.networking.k8s.io/deny-all unchanged"));

        var ingress = await KubectlAsync("create", "ingress", "plain", "--rule=/=svc:80");
        Assert.That(ingress.ExitCode, Is.EqualTo(0), ingress.Error);
        var table = await KubectlAsync("get", "ingress,hpa,runtimeclass,csidriver,podtemplate");
        Assert.That(table.Output, Does.Match(@"ingress\.networking\.k8s\.io/plain\s+mkube\s+\*"));
        Assert.That(table.Output, Does.Match(@"horizontalpodautoscaler\.autoscaling/web\s+Deployment/web\s+memory: <unknown>/500Mi\s+2\s+12"));
    }

    [Test]
    public async Task Apply_KindListManifest_CreatesEachItem()
    {
        // kubectl checks a v1 List against /openapi/v2 (its v3 verifier never supports List): a 404 there failed the apply.
        var manifest = Path.Combine(Server.Directory, "list.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: listed-a}
              data: {k: "1"}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: listed-b}
            """);
        var unknownField = Path.Combine(Server.Directory, "list-typo.yaml");
        await File.WriteAllTextAsync(unknownField, """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: listed-c}
              dta: {k: "1"}
            """);

        var applied = await KubectlAsync("apply", "-f", manifest);
        var typo = await KubectlAsync("apply", "-f", unknownField);

        Assert.That(applied.ExitCode, Is.EqualTo(0), applied.Error);
        Assert.That(applied.Output, Does.Contain("configmap/listed-a created").And.Contain("configmap/listed-b created"));
        Assert.That((await KubectlAsync("get", "configmap", "listed-a", "-o", "jsonpath={.data.k}")).Output, Is.EqualTo("1"));
        // The items skip kubectl's client-side check (no v2 definitions) and meet the server's strict field validation.
        Assert.That(typo.ExitCode, Is.Not.Zero);
        Assert.That(typo.Error, Does.Contain("unknown field \"dta\""));
    }

    [Test]
    public async Task ValidatingAdmissionPolicy_DeniedCreatePrintsThePolicyMessage_GetShowsTheColumns()
    {
        var manifest = Path.Combine(Server.Directory, "policy.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata:
              name: max-replicas
            spec:
              matchConstraints:
                resourceRules:
                - apiGroups: ["apps"]
                  apiVersions: ["v1"]
                  operations: ["CREATE", "UPDATE"]
                  resources: ["deployments"]
              validations:
              - expression: "object.spec.replicas <= 5"
                message: "replicas must be no greater than 5"
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata:
              name: max-replicas-binding
            spec:
              policyName: max-replicas
              validationActions: [Deny]
            """);
        var applied = await KubectlAsync("apply", "-f", manifest);
        Assert.That(applied.ExitCode, Is.EqualTo(0), applied.Error);

        Run denied = null!;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            denied = await KubectlAsync("create", "deployment", "big", "--image=busybox", "--replicas=6");
            if (denied.ExitCode != 0)
            {
                break;
            }
            await KubectlAsync("delete", "deployment", "big");
        }
        Assert.That(denied.Error, Does.Contain(
            "error: failed to create deployment: deployments.apps \"big\" is forbidden: ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: replicas must be no greater than 5"));

        var table = await KubectlAsync("get", "validatingadmissionpolicies,validatingadmissionpolicybindings");
        Assert.That(table.ExitCode, Is.EqualTo(0), table.Error);
        Assert.That(table.Output, Does.Match(@"NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE"));
        Assert.That(table.Output, Does.Match(@"validatingadmissionpolicy\.admissionregistration\.k8s\.io/max-replicas\s+1\s+<unset>"));
        Assert.That(table.Output, Does.Match(@"NAME\s+POLICYNAME\s+PARAMREF\s+AGE"));
        Assert.That(table.Output, Does.Match(@"max-replicas-binding\s+max-replicas\s+<unset>"));
    }

    private sealed record Run(int ExitCode, string Output, string Error);

    private async Task<Run> KubectlAsync(params string[] arguments)
    {
        var home = Path.Combine(Server.Directory, "kubectl-home");
        Directory.CreateDirectory(home);
        var start = new ProcessStartInfo("/usr/bin/kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--kubeconfig=" + Server.KubeconfigPath);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(home, "cache"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["HOME"] = home;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }
}
