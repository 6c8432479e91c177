using static MiniKube.ApiServer.Tests.Tables.TableTestSupport;

namespace MiniKube.ApiServer.Tests.Tables;

public class PodPrinterTests
{
    private static Dictionary<string, System.Text.Json.Nodes.JsonNode?> Pod(string spec, string status, string extraMetadata = "") =>
        Row("", "pods", $$"""{"metadata":{"name":"p"{{extraMetadata}}},"spec":{{spec}},"status":{{status}}}""");

    private const string OneContainer = """{"containers":[{"name":"app"}]}""";

    [Test]
    public void Status_Running_IsReady()
    {
        var row = Pod(OneContainer, """{"phase":"Running","containerStatuses":[{"name":"app","ready":true,"state":{"running":{}}}]}""");

        Assert.That(row.Text("Ready"), Is.EqualTo("1/1"));
        Assert.That(row.Text("Status"), Is.EqualTo("Running"));
        Assert.That(row.Text("Restarts"), Is.EqualTo("0"));
    }

    [TestCase("""{"waiting":{"reason":"ContainerCreating"}}""", "ContainerCreating")]
    [TestCase("""{"waiting":{"reason":"CrashLoopBackOff"}}""", "CrashLoopBackOff")]
    [TestCase("""{"terminated":{"reason":"Completed","exitCode":0}}""", "Completed")]
    [TestCase("""{"terminated":{"exitCode":3}}""", "ExitCode:3")]
    [TestCase("""{"terminated":{"exitCode":137,"signal":9}}""", "Signal:9")]
    public void Status_ContainerState_ShowsItsReason(string state, string expected)
    {
        var row = Pod(OneContainer, $$"""{"phase":"Pending","containerStatuses":[{"name":"app","ready":false,"state":{{state}}}]}""");

        Assert.That(row.Text("Status"), Is.EqualTo(expected));
        Assert.That(row.Text("Ready"), Is.EqualTo("0/1"));
    }

    [Test]
    public void Status_PodReason_OverridesPhase()
    {
        Assert.That(Pod(OneContainer, """{"phase":"Failed","reason":"Evicted"}""").Text("Status"), Is.EqualTo("Evicted"));
        Assert.That(Pod(OneContainer, """{"phase":"Pending"}""").Text("Status"), Is.EqualTo("Pending"));
    }

    [Test]
    public void Status_SchedulingGated_FromCondition()
    {
        var row = Pod(OneContainer, """{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}""");

        Assert.That(row.Text("Status"), Is.EqualTo("SchedulingGated"));
    }

    [TestCase("""[{"name":"i1","state":{"terminated":{"exitCode":0}}},{"name":"i2","state":{"running":{}}}]""", "Init:1/2")]
    [TestCase("""[{"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}}]""", "Init:0/2")]
    [TestCase("""[{"name":"i1","state":{"waiting":{"reason":"ImagePullBackOff"}}}]""", "Init:ImagePullBackOff")]
    [TestCase("""[{"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]""", "Init:Error")]
    [TestCase("""[{"name":"i1","state":{"terminated":{"exitCode":2}}}]""", "Init:ExitCode:2")]
    [TestCase("""[{"name":"i1","state":{"terminated":{"exitCode":2,"signal":15}}}]""", "Init:Signal:15")]
    public void Status_InitContainers_ShowProgressOrFailure(string initStatuses, string expected)
    {
        var row = Pod(
            """{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"app"}]}""",
            """{"phase":"Pending","initContainerStatuses":""" + initStatuses + ""","containerStatuses":[{"name":"app","state":{"waiting":{"reason":"PodInitializing"}}}]}""");

        Assert.That(row.Text("Status"), Is.EqualTo(expected));
    }

    [Test]
    public void Ready_SidecarCountsAsContainerOnceStarted()
    {
        var row = Pod(
            """{"initContainers":[{"name":"sidecar","restartPolicy":"Always"}],"containers":[{"name":"app"}]}""",
            """
            {"phase":"Running",
             "initContainerStatuses":[{"name":"sidecar","started":true,"ready":true,"restartCount":2,"state":{"running":{}}}],
             "containerStatuses":[{"name":"app","ready":true,"restartCount":1,"state":{"running":{}}}]}
            """);

        Assert.That(row.Text("Ready"), Is.EqualTo("2/2"));
        Assert.That(row.Text("Status"), Is.EqualTo("Running"));
        Assert.That(row.Text("Restarts"), Is.EqualTo("3"));
    }

    [Test]
    public void Status_CompletedContainerWithAnotherRunning_IsRunningOrNotReady()
    {
        const string spec = """{"containers":[{"name":"a"},{"name":"b"}]}""";
        const string statuses = """
            "containerStatuses":[{"name":"a","ready":false,"state":{"terminated":{"reason":"Completed","exitCode":0}}},
                                 {"name":"b","ready":true,"state":{"running":{}}}]
            """;

        Assert.That(Pod(spec, """{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],""" + statuses + "}").Text("Status"), Is.EqualTo("Running"));
        Assert.That(Pod(spec, """{"phase":"Running",""" + statuses + "}").Text("Status"), Is.EqualTo("NotReady"));
    }

    [Test]
    public void Status_Deleting_IsTerminatingUnlessTerminalOrNodeLost()
    {
        const string deleting = ""","deletionTimestamp":"2025-01-01T00:00:00Z" """;

        Assert.That(Pod(OneContainer, """{"phase":"Running"}""", deleting).Text("Status"), Is.EqualTo("Terminating"));
        Assert.That(Pod(OneContainer, """{"phase":"Succeeded"}""", deleting).Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(Pod(OneContainer, """{"phase":"Running","reason":"NodeLost"}""", deleting).Text("Status"), Is.EqualTo("Unknown"));
    }

    [Test]
    public void Restarts_WithLastTermination_ShowsWhen()
    {
        var row = Pod(OneContainer, """
            {"phase":"Running","containerStatuses":[{"name":"app","ready":true,"restartCount":4,"state":{"running":{}},
              "lastState":{"terminated":{"exitCode":1,"finishedAt":"FINISHED"}}}]}
            """.Replace("FINISHED", Ago(TimeSpan.FromMinutes(3)), StringComparison.Ordinal));

        Assert.That(row.Text("Restarts"), Is.EqualTo("4 (3m ago)"));
    }

    [Test]
    public void WideColumns_ShowAddressesNodesAndGates()
    {
        var row = Pod(
            """{"containers":[{"name":"app"}],"nodeName":"node1","readinessGates":[{"conditionType":"a"},{"conditionType":"b"}]}""",
            """{"phase":"Running","podIPs":[{"ip":"10.1.0.4"},{"ip":"fd00::4"}],"nominatedNodeName":"node2","conditions":[{"type":"a","status":"True"},{"type":"b","status":"False"}]}""");

        Assert.That(row.Text("IP"), Is.EqualTo("10.1.0.4"));
        Assert.That(row.Text("Node"), Is.EqualTo("node1"));
        Assert.That(row.Text("Nominated Node"), Is.EqualTo("node2"));
        Assert.That(row.Text("Readiness Gates"), Is.EqualTo("1/2"));
    }

    [Test]
    public void Age_WithoutCreationTimestamp_IsUnknown()
    {
        Assert.That(Pod(OneContainer, """{"phase":"Pending"}""").Text("Age"), Is.EqualTo("<unknown>"));
    }

    [Test]
    public void Row_SucceededPod_CarriesCompletedCondition()
    {
        var table = MiniKube.ApiServer.Tables.TableBuilder.BuildTable(
            Type("", "pods"),
            [Obj("""{"metadata":{"name":"p"},"spec":{"containers":[]},"status":{"phase":"Succeeded"}}""")],
            new MiniKube.ApiServer.Tables.TableOptions(),
            Now);

        var condition = table["rows"]![0]!["conditions"]![0]!;
        Assert.That((string?)condition["type"], Is.EqualTo("Completed"));
        Assert.That((string?)condition["reason"], Is.EqualTo("Succeeded"));
    }
}
