using MiniKube.ApiServer.CustomResources;
using MiniKube.ApiServer.Errors;
using static MiniKube.ApiServer.Tests.CustomResources.SchemaFixtures;

namespace MiniKube.ApiServer.Tests.CustomResources;

public class ValueValidatorTests
{
    private static List<string> Errors(string specProperties, string spec) =>
        Messages(ValueValidator.Validate(Json("{\"spec\":" + spec + "}"), Spec(specProperties)));

    [Test]
    public void Validate_StringForInteger_IsTypeInvalidWithUpstreamMessage()
    {
        var errors = ValueValidator.Validate(Json("""{"spec":{"replicas":"3"}}"""), Spec("""{"replicas":{"type":"integer"}}"""));

        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"" }));
        Assert.That(errors[0].Reason, Is.EqualTo("FieldValueTypeInvalid"));
    }

    [TestCase("""{"x":{"type":"string"}}""", """{"x":null}""", "spec.x: Invalid value: \"null\": spec.x in body must be of type string: \"null\"")]
    [TestCase("""{"x":{"type":"integer"}}""", """{"x":2.5}""", "spec.x: Invalid value: \"number\": spec.x in body must be of type integer: \"number\"")]
    [TestCase("""{"x":{"type":"object"}}""", """{"x":[]}""", "spec.x: Invalid value: \"array\": spec.x in body must be of type object: \"array\"")]
    [TestCase("""{"x":{"type":"boolean"}}""", """{"x":"true"}""", "spec.x: Invalid value: \"string\": spec.x in body must be of type boolean: \"string\"")]
    [TestCase("""{"x":{"x-kubernetes-int-or-string":true}}""", """{"x":true}""", "spec.x: Invalid value: \"boolean\": spec.x in body must be of type integer,string: \"boolean\"")]
    public void Validate_WrongType_ReportsTheJsonType(string properties, string spec, string expected) =>
        Assert.That(Errors(properties, spec), Is.EqualTo(new[] { expected }));

    [TestCase("""{"x":{"type":"string","nullable":true}}""", """{"x":null}""")]
    [TestCase("""{"x":{"type":"integer"}}""", """{"x":2.0}""")]
    [TestCase("""{"x":{"type":"number"}}""", """{"x":2}""")]
    [TestCase("""{"x":{"x-kubernetes-int-or-string":true}}""", """{"x":"25%"}""")]
    [TestCase("""{"x":{"x-kubernetes-int-or-string":true}}""", """{"x":8080}""")]
    [TestCase("""{"x":{"x-kubernetes-preserve-unknown-fields":true}}""", """{"x":{"any":[1,"two"]}}""")]
    [TestCase("""{"x":{"type":"string","format":"no-such-format"}}""", """{"x":"anything"}""")]
    public void Validate_AcceptedValue_HasNoErrors(string properties, string spec) =>
        Assert.That(Errors(properties, spec), Is.Empty);

    [Test]
    public void Validate_Enum_ListsTheSupportedValuesQuoted()
    {
        Assert.That(Errors("""{"mode":{"type":"string","enum":["a","b"]}}""", """{"mode":"c"}"""),
            Is.EqualTo(new[] { "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"" }));
        Assert.That(Errors("""{"n":{"type":"integer","enum":[1,2]}}""", """{"n":3}"""),
            Is.EqualTo(new[] { "spec.n: Unsupported value: 3: supported values: \"1\", \"2\"" }));
        Assert.That(Errors("""{"n":{"type":"integer","enum":[1,2]}}""", """{"n":2}"""), Is.Empty);
        Assert.That(Errors("""{"n":{"type":"string","nullable":true,"enum":["a"]}}""", """{"n":null}"""),
            Is.EqualTo(new[] { "spec.n: Unsupported value: \"null\": supported values: \"a\"" }));
    }

    [TestCase("""{"s":{"type":"string","maxLength":3}}""", """{"s":"abcd"}""", "spec.s: Too long: may not be more than 3 bytes")]
    [TestCase("""{"s":{"type":"string","minLength":2}}""", """{"s":"a"}""", "spec.s: Invalid value: \"a\": spec.s in body should be at least 2 chars long")]
    [TestCase("""{"s":{"type":"string","pattern":"^[a-z]+$"}}""", """{"s":"A"}""", "spec.s: Invalid value: \"A\": spec.s in body should match '^[a-z]+$'")]
    [TestCase("""{"n":{"type":"integer","maximum":10}}""", """{"n":11}""", "spec.n: Invalid value: 11: spec.n in body should be less than or equal to 10")]
    [TestCase("""{"n":{"type":"integer","maximum":10,"exclusiveMaximum":true}}""", """{"n":10}""", "spec.n: Invalid value: 10: spec.n in body should be less than 10")]
    [TestCase("""{"n":{"type":"integer","minimum":1}}""", """{"n":0}""", "spec.n: Invalid value: 0: spec.n in body should be greater than or equal to 1")]
    [TestCase("""{"n":{"type":"number","minimum":1.5,"exclusiveMinimum":true}}""", """{"n":1.5}""", "spec.n: Invalid value: 1.5: spec.n in body should be greater than 1.5")]
    [TestCase("""{"n":{"type":"integer","multipleOf":2}}""", """{"n":7}""", "spec.n: Invalid value: 7: spec.n in body should be a multiple of 2")]
    [TestCase("""{"n":{"type":"number","multipleOf":0.5}}""", """{"n":0.75}""", "spec.n: Invalid value: 0.75: spec.n in body should be a multiple of 0.5")]
    [TestCase("""{"l":{"type":"array","items":{"type":"string"},"minItems":2}}""", """{"l":["a"]}""", "spec.l: Invalid value: 1: spec.l in body should have at least 2 items")]
    [TestCase("""{"l":{"type":"array","items":{"type":"string"},"maxItems":2}}""", """{"l":["a","b","c"]}""", "spec.l: Too many: 3: must have at most 2 items")]
    [TestCase("""{"l":{"type":"array","items":{"type":"string"},"uniqueItems":true}}""", """{"l":["a","a"]}""", "spec.l: Invalid value: \"\": spec.l in body shouldn't contain duplicates")]
    [TestCase("""{"m":{"type":"object","additionalProperties":{"type":"string"},"minProperties":2}}""", """{"m":{"a":"1"}}""", "spec.m: Invalid value: 1: spec.m in body should have at least 2 properties")]
    [TestCase("""{"m":{"type":"object","additionalProperties":{"type":"string"},"maxProperties":1}}""", """{"m":{"a":"1","b":"2"}}""", "spec.m: Too many: 2: must have at most 1 items")]
    [TestCase("""{"m":{"type":"object","additionalProperties":{"type":"string"}}}""", """{"m":{"app":1}}""", "spec.m.app: Invalid value: \"integer\": spec.m.app in body must be of type string: \"integer\"")]
    [TestCase("""{"m":{"type":"object","additionalProperties":false}}""", """{"m":{"x":1}}""", "spec.m: Invalid value: \"x\": spec.m.x in body is a forbidden property")]
    [TestCase("""{"p":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer"}}}}}""", """{"p":[{"port":1},{"port":"x"}]}""", "spec.p[1].port: Invalid value: \"string\": spec.p[1].port in body must be of type integer: \"string\"")]
    [TestCase("""{"o":{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}}""", """{"o":{}}""", "spec.o.name: Required value")]
    public void Validate_Keyword_ReportsUpstreamMessage(string properties, string spec, string expected) =>
        Assert.That(Errors(properties, spec), Is.EqualTo(new[] { expected }));

    [Test]
    public void Validate_MaxLength_CountsCharactersNotBytes() =>
        Assert.That(Errors("""{"s":{"type":"string","maxLength":2}}""", """{"s":"éé"}"""), Is.Empty);

    [Test]
    public void Validate_RequiredAtTheRoot_HasNoLeadingDot()
    {
        var schema = ReadSchema("""{"type":"object","required":["spec"],"properties":{"spec":{"type":"object"}}}""");

        Assert.That(Messages(ValueValidator.Validate(Json("{}"), schema)), Is.EqualTo(new[] { "spec: Required value" }));
    }

    [Test]
    public void Validate_AnyOfNoneMatch_ReportsAtNilPathWithTheClosestBranch()
    {
        var errors = Errors("""{"x":{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}],"properties":{"a":{"type":"string"},"b":{"type":"string"}}}}""", """{"x":{}}""");

        Assert.That(errors, Does.Contain("<nil>: Invalid value: \"\": \"spec.x\" must validate at least one schema (anyOf)"));
        Assert.That(errors, Does.Contain("spec.x.a: Required value"));
    }

    [Test]
    public void Validate_OneOf_RejectsTwoMatchesAndNone()
    {
        const string properties = """{"x":{"type":"integer","oneOf":[{"minimum":1},{"minimum":2}]}}""";

        Assert.That(Errors(properties, """{"x":5}"""), Is.EqualTo(new[] { "<nil>: Invalid value: \"\": \"spec.x\" must validate one and only one schema (oneOf). Found 2 valid alternatives" }));
        Assert.That(Errors(properties, """{"x":1}"""), Is.Empty);
        Assert.That(Errors(properties, """{"x":0}"""), Does.Contain("<nil>: Invalid value: \"\": \"spec.x\" must validate one and only one schema (oneOf). Found none valid"));
    }

    [Test]
    public void Validate_AllOfAndNot_ReportTheirComposites()
    {
        Assert.That(Errors("""{"x":{"type":"integer","allOf":[{"minimum":1},{"maximum":3}]}}""", """{"x":5}"""), Is.EqualTo(new[]
        {
            "spec.x: Invalid value: 5: spec.x in body should be less than or equal to 3",
            "<nil>: Invalid value: \"\": \"spec.x\" must validate all the schemas (allOf)",
        }));
        Assert.That(Errors("""{"x":{"type":"string","not":{"enum":["forbidden"]}}}""", """{"x":"forbidden"}"""),
            Is.EqualTo(new[] { "<nil>: Invalid value: \"\": \"spec.x\" must not validate the schema (not)" }));
    }

    [Test]
    public void Validate_WithBasePath_PutsErrorsBelowIt()
    {
        var at = FieldPath.Of("spec").Child("default");

        var errors = ValueValidator.Validate(Json("""{"n":"x"}"""), ReadSchema("""{"type":"object","properties":{"n":{"type":"integer"}}}"""), at);

        Assert.That(Messages(errors), Is.EqualTo(new[] { "spec.default.n: Invalid value: \"string\": n in body must be of type integer: \"string\"" }));
    }

    [TestCase("date-time", "2024-01-02T03:04:05Z", "2024-01-02 03:04")]
    [TestCase("date-time", "2024-01-02T03:04:05.123+02:00", "2024-13-02T03:04:05Z")]
    [TestCase("date", "2024-02-29", "2023-02-29")]
    [TestCase("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567")]
    [TestCase("email", "someone@example.com", "not an email")]
    [TestCase("hostname", "www.example.com", "-bad-.com")]
    [TestCase("ipv4", "10.0.0.1", "10.0.0.256")]
    [TestCase("ipv6", "fd00::1", "10.0.0.1")]
    [TestCase("cidr", "10.0.0.0/8", "10.0.0.0/33")]
    [TestCase("mac", "00:00:5e:00:53:01", "00:00:5e")]
    [TestCase("uri", "https://example.com/x", "no scheme")]
    [TestCase("duration", "1h30m", "soon")]
    [TestCase("duration", "3 days", "")]
    [TestCase("byte", "aGVsbG8=", "hello!")]
    [TestCase("bsonobjectid", "507f1f77bcf86cd799439011", "507f1f77")]
    [TestCase("hexcolor", "#ffaa00", "#ffaa0")]
    [TestCase("rgbcolor", "rgb(1,2,255)", "rgb(1,2,256)")]
    [TestCase("isbn10", "0321751043", "0321751044")]
    [TestCase("isbn13", "978-0321751041", "978-0321751042")]
    [TestCase("creditcard", "4111 1111 1111 1111", "4111 1111 1111 1112")]
    [TestCase("ssn", "123-45-6789", "123456")]
    public void Validate_Format_AcceptsValidAndRejectsInvalid(string format, string valid, string invalid)
    {
        var properties = "{\"v\":{\"type\":\"string\",\"format\":\"" + format + "\"}}";

        Assert.That(Errors(properties, "{\"v\":" + System.Text.Json.JsonSerializer.Serialize(valid) + "}"), Is.Empty, valid);
        Assert.That(Errors(properties, "{\"v\":" + System.Text.Json.JsonSerializer.Serialize(invalid) + "}"), Is.EqualTo(new[]
        {
            $"spec.v: Invalid value: {GoSyntax.Quote(invalid)}: spec.v in body must be of type {format}: {GoSyntax.Quote(invalid)}",
        }));
    }

    [Test]
    public void Validate_FormatOnAnInteger_ChecksNumericFormatsOnlyByType()
    {
        Assert.That(Errors("""{"n":{"type":"integer","format":"int32"}}""", """{"n":5}"""), Is.Empty);
        Assert.That(Errors("""{"n":{"type":"string","format":"date"}}""", """{"n":5}"""),
            Is.EqualTo(new[] { "spec.n: Invalid value: \"int64\": spec.n in body must be of type date: \"int64\"" }));
    }
}
