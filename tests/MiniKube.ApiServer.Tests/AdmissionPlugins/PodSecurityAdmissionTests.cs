using System.Text.Json.Nodes;
using MiniKube.ApiServer.AdmissionPlugins;

namespace MiniKube.ApiServer.Tests.AdmissionPlugins;

/// <summary>Which pod updates PodSecurity checks again (upstream's isSignificantPodUpdate).</summary>
public sealed class PodSecurityAdmissionTests
{
    private static JsonObject Pod(string spec) => JsonNode.Parse("""{"metadata":{"name":"p","labels":{"a":"b"}},"spec":""" + spec + "}")!.AsObject();

    [Test]
    public void ChangesWhatIsChecked_LabelsOrOtherFieldsOnly_False()
    {
        var old = Pod("""{"containers":[{"name":"c","image":"a"}],"activeDeadlineSeconds":5}""");
        var updated = Pod("""{"containers":[{"name":"c","image":"a","securityContext":{"privileged":true}}],"activeDeadlineSeconds":4}""");
        updated["metadata"]!["labels"]!["x"] = "y";

        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(updated, old), Is.False);
    }

    [Test]
    public void ChangesWhatIsChecked_ImageOrContainerCount_True()
    {
        var old = Pod("""{"containers":[{"name":"c","image":"a"}],"initContainers":[{"name":"i","image":"a"}]}""");

        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(Pod("""{"containers":[{"name":"c","image":"b"}],"initContainers":[{"name":"i","image":"a"}]}"""), old), Is.True);
        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(Pod("""{"containers":[{"name":"c","image":"a"}],"initContainers":[{"name":"i","image":"b"}]}"""), old), Is.True);
        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(Pod("""{"containers":[{"name":"c","image":"a"}]}"""), old), Is.True);
    }

    [Test]
    public void ChangesWhatIsChecked_EphemeralContainerAdded_True_Unchanged_False()
    {
        var old = Pod("""{"containers":[{"name":"c","image":"a"}],"ephemeralContainers":[{"name":"d","image":"busybox"}]}""");

        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(Pod("""{"containers":[{"name":"c","image":"a"}],"ephemeralContainers":[{"name":"d","image":"busybox"}]}"""), old), Is.False);
        Assert.That(PodSecurityAdmission.ChangesWhatIsChecked(Pod("""{"containers":[{"name":"c","image":"a"}],"ephemeralContainers":[{"name":"d","image":"busybox"},{"name":"e","image":"busybox"}]}"""), old), Is.True);
    }
}
