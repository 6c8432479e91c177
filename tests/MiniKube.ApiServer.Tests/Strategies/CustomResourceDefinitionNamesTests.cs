using System.Text.Json.Nodes;
using MiniKube.ApiServer.Strategies;
using MiniKube.ApiServer.Tests.Integration;

namespace MiniKube.ApiServer.Tests.Strategies;

/// <summary>The naming and establishing controllers' status, computed on the CRD's write.</summary>
public sealed class CustomResourceDefinitionNamesTests
{
    private static JsonObject Crd(string plural, string kind, params string[] shortNames)
    {
        var crd = JsonNode.Parse(CustomResourceTests.Crd)!.AsObject();
        crd["metadata"]!["name"] = $"{plural}.example.com";
        crd["spec"]!["names"] = new JsonObject
        {
            ["plural"] = plural,
            ["singular"] = kind.ToLowerInvariant(),
            ["kind"] = kind,
            ["shortNames"] = new JsonArray(shortNames.Select(s => (JsonNode)s).ToArray()),
        };
        return crd;
    }

    private static Dictionary<string, string> Conditions(JsonObject crd) =>
        crd["status"]!["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.GetValue<string>(), c => $"{c!["status"]}/{c["reason"]}");

    [Test]
    public void Accept_NoOtherCrd_NamesAcceptedAndEstablished()
    {
        var crd = Crd("widgets", "Widget");

        CustomResourceDefinitionNames.Accept(crd, [], DateTimeOffset.UnixEpoch);

        Assert.That(Conditions(crd), Is.EqualTo(new Dictionary<string, string> { ["NamesAccepted"] = "True/NoConflicts", ["Established"] = "True/InitialNamesAccepted" }));
        Assert.That(crd["status"]!["acceptedNames"]!["listKind"]!.GetValue<string>(), Is.EqualTo("WidgetList"));
    }

    [TestCase("widget", "Gizmo", new string[0], "PluralConflict", "\"widget\" is already in use")]
    [TestCase("gizmos", "Gizmo", new[] { "wd" }, "ShortNamesConflict", "\"wd\" is already in use")]
    [TestCase("gizmos", "Widget", new string[0], "SingularConflict", "\"widget\" is already in use")]
    public void Accept_NameTakenInTheGroup_NotAccepted(string plural, string kind, string[] shortNames, string reason, string message)
    {
        var existing = Crd("widgets", "Widget", "wd");
        CustomResourceDefinitionNames.Accept(existing, [], DateTimeOffset.UnixEpoch);
        var crd = Crd(plural, kind, shortNames);

        CustomResourceDefinitionNames.Accept(crd, [existing], DateTimeOffset.UnixEpoch);

        var condition = crd["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "NamesAccepted")!;
        Assert.That(condition["status"]!.GetValue<string>(), Is.EqualTo("False"));
        Assert.That(condition["reason"]!.GetValue<string>(), Is.EqualTo(reason));
        Assert.That(condition["message"]!.GetValue<string>(), Is.EqualTo(message));
        Assert.That(Conditions(crd)["Established"], Is.EqualTo("False/NotAccepted"));
    }
}
