using MiniKube.ApiServer.CustomResources;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class EmbeddedResourceValidatorTests
{
    private static readonly string Template = """{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}""";

    private static List<string> Errors(string spec) =>
        Messages(EmbeddedResourceValidator.Validate(Json("{\"spec\":" + spec + "}"), Spec(Template)));

    [Test]
    public void Validate_MissingTypeMeta_IsRequired() =>
        Assert.That(Errors("""{"t":{"metadata":{}}}"""), Is.EqualTo(new[] { "spec.t.apiVersion: Required value", "spec.t.kind: Required value" }));

    [Test]
    public void Validate_CompleteTypeMeta_IsAccepted() =>
        Assert.That(Errors("""{"t":{"apiVersion":"apps/v1","kind":"Deployment"}}"""), Is.Empty);

    [Test]
    public void Validate_BadTypeMeta_ReportsUpstreamMessages()
    {
        Assert.That(Errors("""{"t":{"apiVersion":1,"kind":""}}"""), Is.EqualTo(new[]
        {
            "spec.t.apiVersion: Invalid value: 1: must be a string",
            "spec.t.kind: Invalid value: \"\": must not be empty",
        }));
        Assert.That(Errors("""{"t":{"apiVersion":"a/b/c","kind":"Bad_Kind"}}"""), Is.EqualTo(new[]
        {
            "spec.t.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
            "spec.t.kind: Invalid value: \"Bad_Kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        }));
    }

    [Test]
    public void Validate_TheResourceRoot_IsNotCheckedHere() =>
        Assert.That(EmbeddedResourceValidator.Validate(Json("{}"), ReadSchema("""{"type":"object"}""")), Is.Empty);
}
