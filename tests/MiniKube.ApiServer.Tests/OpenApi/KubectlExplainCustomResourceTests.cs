using MiniKube.ApiServer.OpenApi;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>The real kubectl against a custom group-version's document: explain, and server-side field validation found.</summary>
[Category("Integration")]
public class KubectlExplainCustomResourceTests
{
    private ExplainServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        var documents = new OpenApiDocuments("v1.32.0");
        documents.SetCustomResources([CustomResourceFixtures.Widgets()]);
        _server = await ExplainServer.StartAsync(documents, [("example.com", "v1", CustomResourceFixtures.WidgetsResource())]);
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Explain_Field_PrintsTheSchemaDescription()
    {
        var (exit, output) = await _server.RunKubectlAsync("explain", "widgets.spec.size");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("GROUP:      example.com"));
        Assert.That(output, Does.Contain("KIND:       Widget"));
        Assert.That(output, Does.Contain("VERSION:    v1"));
        Assert.That(output, Does.Contain("FIELD: size <integer>"));
        Assert.That(output, Does.Contain("How many parts the widget has."));
    }

    [Test]
    public async Task Explain_Spec_ListsFieldsWithTheirTypes()
    {
        var (exit, output) = await _server.RunKubectlAsync("explain", "wd.spec");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("size\t<integer> -required-"));
        Assert.That(output, Does.Contain("color\t<string>"));
        Assert.That(output, Does.Contain("parts\t<[]Object>"));
        Assert.That(output, Does.Contain("template\t<Object>"));
    }

    [Test]
    public async Task Explain_Kind_PrintsMetadataAndStatus()
    {
        var (exit, output) = await _server.RunKubectlAsync("explain", "widgets");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("A Widget is a test widget."));
        Assert.That(output, Does.Contain("metadata\t<ObjectMeta>"));
        Assert.That(output, Does.Contain("status\t<Object>"));
    }

    [Test]
    public async Task CreateDryRunClient_StrictValidation_AcceptsPreservedEmbeddedAndIntOrString()
    {
        var manifest = Path.Combine(_server.Directory, "widget.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w1
            spec:
              size: 3
              port: http
              extra:
                anything: [1, {deep: true}]
              template:
                apiVersion: v1
                kind: Pod
                metadata:
                  labels: {app: w}
                spec: {containers: []}
              parts:
              - name: a
                weight: 1.5
            """);

        var (exit, output) = await _server.RunKubectlAsync("create", "-f", manifest, "--dry-run=client", "--validate=strict", "-o", "name");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output.Trim(), Is.EqualTo("widget.example.com/w1"));
    }
}
