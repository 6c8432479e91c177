using System.Collections.Concurrent;
using System.Text;
using k8s;
using k8s.Models;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Tests.Kubelet.Images;

/// <summary>
/// Image pulls through the kubelet on an in-process API server, with a runtime that plays a
/// registry at registry.test:5000 which serves its one image only to user "puller", password "s3cret".
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ImageManagerTests
{
    private const string Image = "registry.test:5000/team/app:1";

    private KubeletTestCluster _cluster = null!;
    // NUnit runs every test on one fixture instance: SetUp renews these.
    private ConcurrentQueue<RegistryCredential?> _tried = null!;
    private volatile bool _pulled;

    [SetUp]
    public async Task SetUp()
    {
        (_tried, _pulled) = (new ConcurrentQueue<RegistryCredential?>(), false);
        _cluster = await KubeletTestCluster.StartAsync();
        var runtime = new CountingRuntime(_cluster.Runtime)
        {
            ImageStatus = image => Task.FromResult(image == Image && !_pulled ? null : new ImageInfo("sha256:" + image.Length, 4_269_694)),
            PullImage = (image, credential) =>
            {
                _tried.Enqueue(credential);
                if (credential is not { Username: "puller", Password: "s3cret" })
                {
                    throw new ImageException("ErrImagePull", $"failed to pull image \"{image}\": unauthorized: authentication required");
                }
                _pulled = true;
                return Task.FromResult(new ImageInfo("sha256:pulled", 4_269_694));
            },
        };
        await _cluster.StartKubeletAsync(runtime: runtime);
    }

    [TearDown]
    public async Task TearDown() => await _cluster.DisposeAsync();

    [Test]
    public async Task PullSecret_ItsCredentialForTheRegistryIsTried_AndThePodRuns()
    {
        await CreateSecretAsync("wrong", "registry.test:5000", "puller:nope");
        await CreateSecretAsync("right", "https://registry.test:5000/v2/", "puller:s3cret");
        await CreateSecretAsync("elsewhere", "other.test", "someone:else");
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("app", "wrong", "right", "elsewhere"), "default");

        await _cluster.WaitForPodAsync("app", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null);

        Assert.That(_tried.Select(c => c?.Password), Is.EqualTo(new[] { "nope", "s3cret" }), "both registry.test:5000 entries, in secret order; not other.test's");
        var messages = await MessagesAsync("app", "Pulled");
        Assert.That(messages.Single(), Does.Match(@"^Successfully pulled image ""registry\.test:5000/team/app:1"" in [0-9.]+m?s \([0-9.]+m?s including waiting\)\. Image size: 4269694 bytes\.$"));
        Assert.That(await MessagesAsync("app", "Pulling"), Is.EqualTo(new[] { $"Pulling image \"{Image}\"" }));
    }

    [Test]
    public async Task NoPullSecret_ErrImagePull_ThenImagePullBackOff_WithUpstreamsEvents()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("denied"), "default");

        // The failure shows as ErrImagePull for 5 s, then as ImagePullBackOff until the 10 s back-off ends.
        var failed = await _cluster.WaitForPodAsync("denied", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ErrImagePull");
        var backingOff = await _cluster.WaitForPodAsync("denied", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason == "ImagePullBackOff");

        Assert.That(failed.Status.ContainerStatuses[0].State.Waiting.Message, Is.EqualTo($"failed to pull image \"{Image}\": unauthorized: authentication required"));
        Assert.That(backingOff.Status.ContainerStatuses[0].State.Waiting.Message, Is.EqualTo($"Back-off pulling image \"{Image}\""));
        Assert.That(backingOff.Status.Phase, Is.EqualTo("Pending"));
        Assert.That(await MessagesAsync("denied", "Failed", atLeast: 3), Is.SupersetOf(new[]
        {
            $"Failed to pull image \"{Image}\": failed to pull image \"{Image}\": unauthorized: authentication required",
            "Error: ErrImagePull",
            "Error: ImagePullBackOff",
        }));
        Assert.That(await MessagesAsync("denied", "BackOff"), Is.EqualTo(new[] { $"Back-off pulling image \"{Image}\"" }));
        Assert.That(_tried, Has.Count.EqualTo(1), "no second pull within the 10 s back-off");
    }

    [Test]
    public async Task MissingPullSecret_WarnsAndPullsWithoutIt()
    {
        await _cluster.Client.CoreV1.CreateNamespacedPodAsync(Pod("lost", "absent"), "default");

        await _cluster.WaitForPodAsync("lost", p => p.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff");

        Assert.That(await MessagesAsync("lost", "FailedToRetrieveImagePullSecret"),
            Is.EqualTo(new[] { "Unable to retrieve some image pull secrets (absent); attempting to pull the image may not succeed." }));
        Assert.That(_tried.Single(), Is.Null);
    }

    private Task<V1Secret> CreateSecretAsync(string name, string registry, string userAndPassword)
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(userAndPassword));
        return _cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name },
            Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes($$$$"""{"auths":{"{{{{registry}}}}":{"auth":"{{{{auth}}}}"}}}""") },
        }, "default");
    }

    /// <summary>The messages of the pod's events with <paramref name="reason"/>, once there are <paramref name="atLeast"/> distinct ones (or 20 s passed).</summary>
    private async Task<List<string>> MessagesAsync(string pod, string reason, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var events = (await _cluster.Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: $"involvedObject.name={pod}")).Items;
            var messages = events.Where(e => e.Reason == reason).Select(e => e.Message).ToList();
            if (messages.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return messages;
            }
            await Task.Delay(100);
        }
    }

    private static V1Pod Pod(string name, params string[] pullSecrets) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = KubeletTestCluster.NodeName,
            TerminationGracePeriodSeconds = 1,
            ImagePullSecrets = [.. pullSecrets.Select(s => new V1LocalObjectReference { Name = s })],
            Containers = [new V1Container { Name = "main", Image = Image, Command = ["sleep", "3600"] }],
        },
    };
}
