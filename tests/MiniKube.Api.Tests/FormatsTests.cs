namespace MiniKube.Api.Tests;

public class FormatsTests
{
    [TestCase("my-name", true)]
    [TestCase("123-abc", true)]
    [TestCase("-abc", false)]
    [TestCase("Abc", false)]
    [TestCase("abc\n", false)]
    public void IsDns1123Label_AcceptsOnlyLowercaseLabels(string value, bool valid) =>
        Assert.That(Formats.IsDns1123Label(value), valid ? Is.Empty : Is.Not.Empty);

    [Test]
    public void IsDns1123Label_WithDots_SaysSo() =>
        Assert.That(Formats.IsDns1123Label("a.b"), Is.EqualTo(new[] { "must not contain dots" }));

    [Test]
    public void IsDns1123Label_Invalid_GivesUpstreamRegexMessage() =>
        Assert.That(Formats.IsDns1123Label("Foo").Single(), Is.EqualTo(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));

    [Test]
    public void IsDns1035Label_LeadingDigit_Refused() =>
        Assert.That(Formats.IsDns1035Label("1web").Single(), Does.StartWith("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character"));

    [Test]
    public void IsDns1123Subdomain_TooLong_ReportsLengthAndPattern()
    {
        var errors = Formats.IsDns1123Subdomain(new string('a', 254));
        Assert.That(errors[0], Is.EqualTo("must be no more than 253 characters"));
    }

    [TestCase("app", 0)]
    [TestCase("example.com/app", 0)]
    [TestCase("a/b/c", 1)]
    [TestCase("/app", 1)]
    [TestCase("Example.com/app", 1)]
    public void IsQualifiedName_CountsProblems(string value, int problems) =>
        Assert.That(Formats.IsQualifiedName(value), Has.Count.EqualTo(problems));

    [Test]
    public void IsQualifiedName_EmptyPrefix_NamesThePart() =>
        Assert.That(Formats.IsQualifiedName("/app").Single(), Is.EqualTo("prefix part must be non-empty"));

    [Test]
    public void IsConfigMapKey_Space_GivesUpstreamMessage() =>
        Assert.That(Formats.IsConfigMapKey("a b").Single(), Is.EqualTo(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));

    [Test]
    public void IsConfigMapKey_DotDot_Refused() =>
        Assert.That(Formats.IsConfigMapKey(".."), Does.Contain("must not be '..'"));

    [TestCase("http", true)]
    [TestCase("8080", false)]
    [TestCase("a--b", false)]
    [TestCase("verylongportname", false)]
    public void IsValidPortName_FollowsIanaRules(string value, bool valid) =>
        Assert.That(Formats.IsValidPortName(value), valid ? Is.Empty : Is.Not.Empty);

    [Test]
    public void IsEnvVarName_LeadingDigit_Refused() =>
        Assert.That(Formats.IsEnvVarName("1VAR"), Is.Not.Empty);
}
