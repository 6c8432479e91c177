using MiniKube.ApiServer.OpenApi;

namespace MiniKube.ApiServer.Tests.OpenApi;

/// <summary>
/// The real kubectl against our documents: a plain-HTTP loopback server with legacy discovery
/// built from the catalog, /version, and the OpenAPI v3 index and documents.
/// </summary>
[Category("Integration")]
public class KubectlExplainTests
{
    private ExplainServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ExplainServer.StartAsync(new OpenApiDocuments("v1.32.0"));

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Explain_PodSpecContainers_PrintsContainerFields()
    {
        var (exit, output) = await RunKubectlAsync("explain", "pod.spec.containers");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("KIND:       Pod"));
        Assert.That(output, Does.Contain("FIELD: containers <[]Container>"));
        Assert.That(output, Does.Contain("image\t<string>"));
        Assert.That(output, Does.Contain("name\t<string> -required-"));
        Assert.That(output, Does.Contain("ports\t<[]ContainerPort>"));
        Assert.That(output, Does.Contain("resources\t<ResourceRequirements>"));
        if (ModelDescriptions.LoadEmbedded().Count > 0)
        {
            // Only when the build embedded the model docs (see OpenApi/ModelDescriptions).
            Assert.That(output, Does.Contain("A single application container"));
        }
    }

    [Test]
    public async Task Explain_DeploymentSpec_PrintsSpecFields()
    {
        var (exit, output) = await RunKubectlAsync("explain", "deployment.spec");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("GROUP:      apps"));
        Assert.That(output, Does.Contain("replicas\t<integer>"));
        Assert.That(output, Does.Contain("selector\t<LabelSelector> -required-"));
        Assert.That(output, Does.Contain("template\t<PodTemplateSpec> -required-"));
    }

    [Test]
    public async Task Explain_MapsAndIntOrString_PrintTheirTypes()
    {
        var (exit, output) = await RunKubectlAsync("explain", "service.spec.ports");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output, Does.Contain("targetPort\t<IntOrString>"));
        var (_, meta) = await RunKubectlAsync("explain", "pod.metadata");
        Assert.That(meta, Does.Contain("labels\t<map[string]string>"));
        Assert.That(meta, Does.Contain("creationTimestamp\t<string>"));
    }

    [Test]
    public async Task CreateDryRunClient_StrictValidation_FindsServerSideFieldValidation()
    {
        // With --validate=strict kubectl looks for the fieldValidation parameter on the kind's
        // PATCH operation; without it, it would fall back to /openapi/v2 (404 here) and fail.
        var manifest = Path.Combine(_server.Directory, "deploy.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: nginx
            """);

        var (exit, output) = await RunKubectlAsync("create", "-f", manifest, "--dry-run=client", "--validate=strict", "-o", "name");

        Assert.That(exit, Is.Zero, output);
        Assert.That(output.Trim(), Is.EqualTo("deployment.apps/web"));
    }

    private Task<(int Exit, string Output)> RunKubectlAsync(params string[] args) => _server.RunKubectlAsync(args);
}
