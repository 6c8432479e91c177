using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace MiniKube.E2E.Tests;

/// <summary>
/// Upgrade in place (issue 17 item 8), as a service manager does it: the previous release
/// (<see cref="PreviousRelease"/>, built from git history) runs a server with a Docker node and
/// writes a Deployment, a ConfigMap, a Secret, a CRD and one of its objects; it is stopped with
/// SIGTERM, and the binary under test starts on the same data dir. Every object keeps its uid and
/// the user's objects their resourceVersion; the pods' containers are the same containers, never
/// restarted; the node is Ready again and writes go on. The store is then in the new format, and
/// the previous release refuses it with one clear error, changing nothing.
/// </summary>
[TestFixture]
[Category("E2E")]
[NonParallelizable]
public sealed class UpgradeInPlaceTests : DataDirFixture
{
    private const string Node = "e2e-upgrade-node";
    private const string Namespace = UpgradeWorkload.Namespace;

    private static readonly string Workload = UpgradeWorkload.Manifest + "---\n" + TestCrds.Sized("e2e.example.com", "gadgets", "Gadget");

    private const string Gadget = """
        apiVersion: e2e.example.com/v1
        kind: Gadget
        metadata: {name: g1, namespace: upgrade}
        spec: {size: 3}
        """;

    [Test]
    public async Task PreviousReleaseDataDir_NewBinaryStartsOnIt_KeepsObjectsResourceVersionsAndRunningContainers()
    {
        var (commit, previousBinary) = await PreviousRelease.BinaryAsync();
        var storeFormat = Path.Combine(DataDir, "server", "db", "FORMAT");
        var kubectl = new Kubectl(KubeconfigPath, Path.Combine(DataDir, "kube-cache"));

        // The previous release writes the data dir and runs the pods.
        Dictionary<string, StoredObject> before;
        Dictionary<string, ContainerState> containers;
        string[] pods;
        using (var previous = MkubeBinary.StartBinary(previousBinary, ServerArgs(DataDir, "--node-name", Node)))
        {
            await previous.WaitForLogAsync("components are running", DockerNodeStartTimeout);
            await WaitForNodeReadyAsync(kubectl, Node);
            await kubectl.ApplyAsync(Workload);
            await kubectl.OkAsync("wait", "--for", "condition=Established", "crd/gadgets.e2e.example.com", "--timeout=60s");
            await kubectl.ApplyAsync(Gadget);
            await UpgradeWorkload.RolloutAsync(kubectl);
            before = await ObjectsAsync(kubectl);
            pods = await UpgradeWorkload.PodsAsync(kubectl);
            containers = await DockerCli.NodeContainersAsync(Node);

            previous.Signal(MkubeProcess.SigTerm);
            await previous.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        Assert.That(await File.ReadAllTextAsync(storeFormat), Is.EqualTo(PreviousRelease.PreviousStoreFormat + "\n"), $"{commit} writes the previous store format");
        Assert.That(containers, Has.Count.EqualTo(4), "two pods, each a sandbox and its main container");
        Assert.That(await DockerCli.NodeContainersAsync(Node), Is.EqualTo(containers), "the previous release left its pods running when it stopped");
        Assert.That(containers.Values, Has.All.Property(nameof(ContainerState.Running)).True);
        var userObjects = before.Values.Where(o => o.IsUsers).ToList();
        Assert.That(userObjects.Select(o => o.Kind).Distinct(), Is.SupersetOf(new[] { "Namespace", "ConfigMap", "Secret", "CustomResourceDefinition", "Gadget", "Deployment", "ReplicaSet", "Pod" }));

        // The binary under test starts on the same data dir.
        using var current = MkubeBinary.Start(null, ServerArgs(DataDir, "--node-name", Node));
        await current.WaitForLogAsync("components are running", DockerNodeStartTimeout);
        await WaitForNodeReadyAsync(kubectl, Node);
        var after = await ObjectsAsync(kubectl);
        // A new write, and one that needs the kubelet: by the time the third pod runs, the kubelet
        // has synced the two it found.
        await kubectl.OkAsync("create", "configmap", "after-upgrade", "-n", Namespace, "--from-literal", "n=1");
        await UpgradeWorkload.AddAPodAsync(kubectl);
        var newRevision = long.Parse(await kubectl.OkAsync("get", "configmap", "after-upgrade", "-n", Namespace, "-o", "jsonpath={.metadata.resourceVersion}"), CultureInfo.InvariantCulture);
        var containersAfter = await DockerCli.NodeContainersAsync(Node);
        var podsAfter = await UpgradeWorkload.PodsAsync(kubectl);
        var nodeReady = await kubectl.OkAsync("get", "node", Node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
        var formatAfter = await File.ReadAllTextAsync(storeFormat);
        // What the new server rewrote at start (its Node, Leases, the kubernetes Endpoints, bootstrap RBAC), for whoever reads the log.
        TestContext.Progress.WriteLine("rewritten by the new server at start: " + string.Join(", ", before.Values.Where(o => after.TryGetValue(o.Uid, out var a) && a.ResourceVersion != o.ResourceVersion)));

        // The stopping server withdrew its node's DNS and ingress endpoints (ClusterDnsComponent,
        // IngressComponent: no traffic to a server that is going away); the new one publishes them again.
        var withdrawn = before.Values.Where(o => o.Kind == "EndpointSlice" && o.Name.EndsWith("-" + Node, StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(before.Keys.Except(after.Keys).Select(uid => before[uid]).Except(withdrawn).Select(o => o.ToString()), Is.Empty, "every object is still there with its uid");
            Assert.That(withdrawn.Select(o => o.Name), Is.SubsetOf(after.Values.Where(o => o.Kind == "EndpointSlice").Select(o => o.Name)), "the node's endpoints published again");
            Assert.That(userObjects.Where(o => after.GetValueOrDefault(o.Uid)?.ResourceVersion != o.ResourceVersion).Select(o => $"{o} now {after.GetValueOrDefault(o.Uid)}"), Is.Empty,
                "the user's objects have the resourceVersions the previous release gave them");
            Assert.That(newRevision, Is.GreaterThan(before.Values.Max(o => o.ResourceVersion)), "revisions go on above the previous release's");
            Assert.That(formatAfter, Is.EqualTo(PreviousRelease.StoreFormat + "\n"), "the store was upgraded to the current format");
            foreach (var (id, state) in containers)
            {
                Assert.That(containersAfter.GetValueOrDefault(id), Is.EqualTo(state), $"container {id} is the same, running since the same start, not restarted");
            }
            Assert.That(containersAfter, Has.Count.EqualTo(6), "the third pod's sandbox and container beside the four adopted");
            Assert.That(pods, Has.Length.EqualTo(2).And.All.Match(UpgradeWorkload.RunningPod));
            Assert.That(podsAfter, Is.SupersetOf(pods), "the adopted pods report the same containers, restart count 0");
            Assert.That(nodeReady, Is.EqualTo("True"));
        });

        // The previous release must not half-understand what the new one wrote: it refuses, and changes nothing.
        current.Signal(MkubeProcess.SigTerm);
        await current.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var store = StoreDigest(DataDir);
        var running = await DockerCli.NodeContainersAsync(Node);
        using var downgraded = MkubeBinary.StartBinary(previousBinary, ServerArgs(DataDir, "--node-name", Node));
        await downgraded.WaitForExitAsync(StartTimeout);

        Assert.That(downgraded.ExitCode, Is.Not.Zero);
        Assert.That(downgraded.Stderr, Has.Some.Contains($"holds a store of format \"{PreviousRelease.StoreFormat}\"; this mkube reads \"{PreviousRelease.PreviousStoreFormat}\". Nothing was changed."),
            string.Join('\n', downgraded.Stderr));
        Assert.That(StoreDigest(DataDir), Is.EqualTo(store), "the refused store is byte for byte as the new release left it");
        Assert.That(await DockerCli.NodeContainersAsync(Node), Is.EqualTo(running), "the refused start touched no container");
    }

    /// <summary>An object as the API serves it; <see cref="IsUsers"/> for what the test wrote (and what its Deployment made).</summary>
    private sealed record StoredObject(string Kind, string Name, string Uid, long ResourceVersion, bool IsUsers)
    {
        public override string ToString() => $"{Kind} {Name} (uid {Uid}, resourceVersion {ResourceVersion})";
    }

    /// <summary>
    /// Every object of every listable resource, by uid (a kind served in two groups, as Events,
    /// is one object). Aggregated APIs (metrics.k8s.io) serve no stored objects and are left out, and so are
    /// objects without a uid and resourceVersion.
    /// </summary>
    private static async Task<Dictionary<string, StoredObject>> ObjectsAsync(Kubectl kubectl)
    {
        var resources = (await kubectl.OkAsync("api-resources", "--verbs=list", "-o", "name"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(r => !r.EndsWith(".metrics.k8s.io", StringComparison.Ordinal));
        var list = JsonNode.Parse(await kubectl.OkAsync("get", string.Join(',', resources), "-A", "-o", "json"))!;
        var objects = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        foreach (var item in list["items"]!.AsArray())
        {
            var metadata = item!["metadata"]!;
            if (metadata["uid"] is null || metadata["resourceVersion"] is null)
            {
                continue; // computed on each read, never stored: ComponentStatus
            }
            var kind = (string)item["kind"]!;
            var ns = (string?)metadata["namespace"];
            var name = (string)metadata["name"]!;
            var isUsers = ns == Namespace || (kind == "Namespace" && name == Namespace) || (kind == "CustomResourceDefinition" && name == "gadgets.e2e.example.com");
            objects.TryAdd((string)metadata["uid"]!, new StoredObject(kind, ns is null ? name : $"{ns}/{name}", (string)metadata["uid"]!,
                long.Parse((string)metadata["resourceVersion"]!, CultureInfo.InvariantCulture), isUsers && kind != "Event"));
        }
        return objects;
    }

    /// <summary>A digest of every file of the store (names and contents), to tell that nothing was written.</summary>
    private static string StoreDigest(string dataDir)
    {
        var store = Path.Combine(dataDir, "server", "db");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(store, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
