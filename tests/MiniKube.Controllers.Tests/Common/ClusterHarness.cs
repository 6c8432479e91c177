using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Testing;

namespace MiniKube.Controllers.Tests.Common;

/// <summary>
/// An in-process API server with a controller manager running the named controllers of
/// <see cref="ControllerCatalog"/> (or all of them) against it, as in <c>mkube server</c>: the
/// manager as system:kube-controller-manager, each controller as its kube-system service
/// account, so RBAC decides what they may do. No scheduler, no kubelets: tests play their part
/// (as the admin, <see cref="Client"/>) by writing pods and their status. Every wait fails fast
/// if the manager stopped.
/// </summary>
internal sealed class ClusterHarness : IAsyncDisposable
{
    private static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);

    private readonly TestApiServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _manager;

    private ClusterHarness(TestApiServer server, IReadOnlyCollection<string>? controllers, TimeProvider time, Func<ControllerManagerOptions, ControllerManagerOptions>? configure = null)
    {
        _server = server;
        Client = server.Client();
        ManagerClient = new Kubernetes(ManagerConfiguration(server));
        var disabled = controllers is null ? new HashSet<string>() : ControllerCatalog.All.Select(e => e.Name).Where(n => !controllers.Contains(n)).ToHashSet();
        var options = new ControllerManagerOptions
        {
            Disabled = disabled,
            Time = time,
            RootCaFile = Path.Combine(server.Directory, "tls", "server-ca.crt"),
            ServiceAccountCredentials = ManagerConfiguration(server),
        };
        var manager = new ControllerManager(ManagerClient, configure is null ? options : configure(options), NullLoggerFactory.Instance);
        _manager = manager.RunAsync(_stop.Token);
    }

    /// <summary>The admin's client: the test's hands.</summary>
    public Kubernetes Client { get; }

    /// <summary>The controller manager's own client (system:kube-controller-manager).</summary>
    public Kubernetes ManagerClient { get; }

    /// <summary>The server of <paramref name="server"/> with the controller manager's certificate from its PKI.</summary>
    public static KubernetesClientConfiguration ManagerConfiguration(TestApiServer server) =>
        TestIdentities.Configuration(server, server?.Pki.ControllerManager ?? throw new ArgumentNullException(nameof(server)));

    public string KubeconfigPath => _server.KubeconfigPath;

    /// <summary>Runs <paramref name="controllers"/> (every controller when null) on <paramref name="time"/> (a fake clock lets a test move schedules along).</summary>
    public static async Task<ClusterHarness> StartControllersAsync(IReadOnlyCollection<string>? controllers, TimeProvider? time = null) =>
        new(await TestApiServer.StartAsync(), controllers, time ?? TimeProvider.System);

    /// <summary>Runs <paramref name="controllers"/> with the manager's options changed by <paramref name="configure"/> (a controller's settings), and creates the test namespace.</summary>
    public static async Task<ClusterHarness> StartAsync(Func<ControllerManagerOptions, ControllerManagerOptions> configure, params string[] controllers)
    {
        var harness = new ClusterHarness(await TestApiServer.StartAsync(), controllers, TimeProvider.System, configure);
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = TestObjects.Namespace } });
        return harness;
    }

    /// <summary>Runs <paramref name="controllers"/> and creates the test namespace <see cref="TestObjects.Namespace"/>.</summary>
    public static Task<ClusterHarness> StartAsync(params string[] controllers) => StartAsync(TimeProvider.System, controllers);

    /// <inheritdoc cref="StartAsync(string[])"/>
    public static async Task<ClusterHarness> StartAsync(TimeProvider time, params string[] controllers)
    {
        var harness = await StartControllersAsync(controllers, time);
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = TestObjects.Namespace } });
        return harness;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value; on timeout fails with the test namespace's events.</summary>
    public Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null)
        where T : class =>
        PollAsync(probe, async () =>
        {
            var events = await Client.CoreV1.ListNamespacedEventAsync(TestObjects.Namespace);
            return $"timed out waiting for {what}; events: {string.Join("; ", events.Items.Select(e => $"{e.Reason}: {e.Message}"))}";
        }, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    public Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        EventuallyAsync(async () => await condition() ? "" : null, what, timeout);

    /// <summary>Reads until <paramref name="done"/> holds for what was read (null: not found); on timeout fails with the last state seen.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T?, bool> done, string what)
        where T : class
    {
        T? last = null;
        await PollAsync(async () =>
        {
            last = await ReadOrNullAsync(read);
            return done(last) ? "" : null;
        }, () => Task.FromResult($"timed out waiting for {what}; last seen: {(last is null ? "nothing" : KubernetesJson.Serialize(last))}"), null);
        return last!;
    }

    /// <summary>Reads until the object is not found.</summary>
    public Task EventuallyGoneAsync(Func<Task<object>> read, string what) =>
        EventuallyAsync(async () => await ReadOrNullAsync(read) is null, $"{what} to be gone");

    /// <summary>The pods of namespace "ns" matching <paramref name="labelSelector"/>.</summary>
    public async Task<IList<V1Pod>> PodsAsync(string labelSelector) =>
        (await Client.CoreV1.ListNamespacedPodAsync(TestObjects.Namespace, labelSelector: labelSelector)).Items;

    /// <summary>The pods of <paramref name="ns"/> matching <paramref name="labelSelector"/> that are not being deleted.</summary>
    public async Task<List<V1Pod>> ActivePodsAsync(string ns, string labelSelector) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labelSelector)).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    /// <summary>Acts as a kubelet: sets the pod's phase (and Ready when Running and <paramref name="ready"/>).</summary>
    public async Task SetPhaseAsync(V1Pod pod, string phase, bool ready = true)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var now = DateTime.UtcNow;
        var status = new V1PodStatus
        {
            Phase = phase,
            Conditions = [new V1PodCondition { Type = "Ready", Status = phase == "Running" && ready ? "True" : "False", LastTransitionTime = now }],
        };
        var patch = new V1Patch(KubernetesJson.Serialize(new { status }), V1Patch.PatchType.MergePatch);
        await Client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty);
    }

    /// <summary>Acts as a kubelet for every pod matching <paramref name="labelSelector"/> that has not started: Running and Ready.</summary>
    public async Task StartPendingPodsAsync(string labelSelector)
    {
        foreach (var pod in (await PodsAsync(labelSelector)).Where(p => p.Status?.Phase is null or "Pending" && p.Metadata.DeletionTimestamp is null))
        {
            await SetPhaseAsync(pod, "Running");
        }
    }

    /// <summary>Acts as a kubelet for every active pod of <paramref name="ns"/> matching <paramref name="labelSelector"/> that is not Ready yet.</summary>
    public async Task MarkPodsReadyAsync(string ns, string labelSelector)
    {
        foreach (var pod in await ActivePodsAsync(ns, labelSelector))
        {
            if (pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            {
                continue;
            }
            try
            {
                await SetPhaseAsync(pod, "Running");
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Deleted by a scale-down meanwhile.
            }
        }
    }

    /// <summary>Acts as a kubelet: the pod runs with <paramref name="ip"/>, Ready or not.</summary>
    public Task<V1Pod> ReportPodAsync(string ns, string name, string ip, bool ready) =>
        Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(KubernetesJson.Serialize(new
        {
            status = new
            {
                phase = "Running",
                podIP = ip,
                podIPs = new[] { new { ip } },
                conditions = new[] { new { type = "Ready", status = ready ? "True" : "False", lastTransitionTime = DateTime.UtcNow } },
            },
        }), V1Patch.PatchType.MergePatch), name, ns);

    /// <summary>A DELETE of <paramref name="path"/> (for kinds without a typed call the test wants), which must succeed.</summary>
    public async Task DeleteAsync(string path)
    {
        using var response = await Client.HttpClient.DeleteAsync(new Uri(Client.BaseUri, path));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A minimal pod for a test to create.</summary>
    /// <summary>A namespaced CRD <c>widgets.example.com</c> (kind Widget, v1, preserving unknown fields) for tests with custom objects.</summary>
    /// <param name="subresources">The version's subresources (a scale subresource, say); none when null.</param>
    public static async Task CreateWidgetCrdAsync(Kubernetes client, V1CustomResourceSubresources? subresources = null)
    {
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "example.com",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Kind = "Widget" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1",
                        Served = true,
                        Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                        Subresources = subresources,
                    },
                ],
            },
        });
    }

    public static V1Pod Pod(string name, IDictionary<string, string>? labels = null, IList<V1OwnerReference>? owners = null, IList<V1ContainerPort>? ports = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels, OwnerReferences = owners },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox", Ports = ports }] },
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _manager.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Client.Dispose();
        ManagerClient.Dispose();
        await _server.DisposeAsync();
        _server.DeleteDirectory();
        _stop.Dispose();
    }

    private async Task<T> PollAsync<T>(Func<Task<T?>> probe, Func<Task<string>> failure, TimeSpan? timeout)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultPatience);
        while (true)
        {
            await ThrowIfStoppedAsync();
            if (await probe() is { } value)
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail(await failure());
            }
            await Task.Delay(50);
        }
    }

    private static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task ThrowIfStoppedAsync()
    {
        if (_manager.IsCompleted)
        {
            await _manager;
            Assert.Fail("the controller manager stopped");
        }
    }
}
