namespace MiniKube.E2E.Tests;

/// <summary>
/// Pod Security admission with the real kubectl (issue 14 §4): labelling a namespace warns about
/// the pods already in it, a pod that breaks the enforced level is refused with upstream's
/// message, a Deployment only gets a warning, and a bad label value is refused. The API server
/// alone: pods are stored but never started.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed class PodSecurityAdmissionTests : ApiServerAloneFixture
{
    // Upstream's detail for a pod with one container that sets no securityContext.
    private static string Violations(string container) =>
        $"allowPrivilegeEscalation != false (container \"{container}\" must set securityContext.allowPrivilegeEscalation=false), "
        + $"unrestricted capabilities (container \"{container}\" must set securityContext.capabilities.drop=[\"ALL\"]), "
        + $"runAsNonRoot != true (pod or container \"{container}\" must set securityContext.runAsNonRoot=true), "
        + $"seccompProfile (pod or container \"{container}\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")";

    [Test]
    public async Task LabelEnforceRestricted_ThenKubectlRun_IsRefusedWithUpstreamsMessage()
    {
        await Kubectl.OkAsync("create", "namespace", "psa");
        // No controller manager here to make the default ServiceAccount the ServiceAccount plugin requires.
        await Kubectl.OkAsync("create", "serviceaccount", "default", "-n", "psa");
        await Kubectl.OkAsync("run", "before", "-n", "psa", "--image=busybox", "--restart=Never");

        var labelled = await Kubectl.RunAsync("label", "namespace", "psa", "pod-security.kubernetes.io/enforce=restricted");

        Assert.That(labelled.ExitCode, Is.Zero, labelled.ToString());
        Assert.That(labelled.Output, Does.Contain("namespace/psa labeled"));
        Assert.That(labelled.Error, Does.Contain("Warning: existing pods in namespace \"psa\" violate the new PodSecurity enforce level \"restricted:latest\"")
            .And.Contain("Warning: before: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"));

        // The label reaches admission through the watch cache: retry until the refusal shows.
        var refused = await Kubectl.RunAsync("run", "after", "-n", "psa", "--image=busybox", "--restart=Never");
        for (var attempt = 0; attempt < 20 && refused.ExitCode == 0; attempt++)
        {
            await Kubectl.RunAsync("delete", "pod", "after", "-n", "psa", "--wait=false");
            await Task.Delay(250);
            refused = await Kubectl.RunAsync("run", "after", "-n", "psa", "--image=busybox", "--restart=Never");
        }

        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        Assert.That(refused.Error, Does.Contain(
            "Error from server (Forbidden): pods \"after\" is forbidden: violates PodSecurity \"restricted:latest\": " + Violations("after")));

        var deployment = await Kubectl.RunAsync("create", "deployment", "web", "-n", "psa", "--image=busybox");
        Assert.That(deployment.ExitCode, Is.Zero, deployment.ToString());
        Assert.That(deployment.Output, Does.Contain("deployment.apps/web created"));
        Assert.That(deployment.Error, Does.Contain("Warning: would violate PodSecurity \"restricted:latest\": " + Violations("busybox")));
    }

    [Test]
    public async Task LabelWithAnUnknownLevel_IsInvalid()
    {
        await Kubectl.OkAsync("create", "namespace", "psa-bad");

        var refused = await Kubectl.RunAsync("label", "namespace", "psa-bad", "pod-security.kubernetes.io/warn=strict");

        Assert.That(refused.ExitCode, Is.Not.Zero, refused.ToString());
        Assert.That(refused.Error, Does.Contain(
            "The Namespace \"psa-bad\" is invalid: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"));
    }
}
