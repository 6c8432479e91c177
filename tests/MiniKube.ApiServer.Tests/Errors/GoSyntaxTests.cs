using System.Text.Json.Nodes;
using MiniKube.ApiServer.Errors;

namespace MiniKube.ApiServer.Tests.Errors;

public class GoSyntaxTests
{
    [TestCase(1.5, "1.5")]
    [TestCase(2.0, "2")]
    [TestCase(100000.0, "100000")]
    [TestCase(1000000.0, "1e+06")]
    [TestCase(1234567.5, "1.2345675e+06")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00001, "1e-05")]
    [TestCase(-0.25, "-0.25")]
    public void Float_AsGoPrintsAFloat64(double value, string expected) =>
        Assert.That(GoSyntax.Float(value), Is.EqualTo(expected));

    [Test]
    public void Interface_UnstructuredValue_IsGoSharpV() =>
        Assert.That(GoSyntax.Interface(JsonNode.Parse("""{"b":[1,"x",null,true,2.5],"a":{}}""")),
            Is.EqualTo("map[string]interface {}{\"a\":map[string]interface {}{}, \"b\":[]interface {}{1, \"x\", interface {}(nil), true, 2.5}}"));

    [Test]
    public void ErrorValue_ScalarsAndNull_AsFieldErrorsShowThem()
    {
        Assert.That(GoSyntax.ErrorValue(JsonNode.Parse("\"a\"")), Is.EqualTo("\"a\""));
        Assert.That(GoSyntax.ErrorValue(JsonNode.Parse("7")), Is.EqualTo("7"));
        Assert.That(GoSyntax.ErrorValue(null), Is.EqualTo("\"null\""));
    }
}
