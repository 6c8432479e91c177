using k8s.Autorest;
using MiniKube.Agent.Runtime;
using MiniKube.Client.Events;

namespace MiniKube.Agent.Kubelet.Images;

/// <summary>
/// Makes a container's image present before it starts, as upstream's image manager
/// (pkg/kubelet/images/image_manager.go EnsureImageExists, kuberuntime_image.go PullImage, v1.32):
/// the pull policy decides whether to pull; a pull that failed backs the pod's image off (10 s
/// doubling to 300 s, per pod and image); pulls run one at a time (the kubelet's default
/// serializeImagePulls), and each tries the credentials the pod's image pull secrets hold for the
/// image's registry (<see cref="DockerKeyring"/>) in turn, or none. Events and waiting reasons are
/// upstream's: Pulling, Pulled (with durations and size, or "already present"), Failed,
/// BackOff; <see cref="ImageException"/> carries ErrImagePull, ImagePullBackOff or
/// ErrImageNeverPull. Credentials never reach a log or an event.
/// </summary>
internal sealed partial class ImageManager(IContainerRuntime runtime, ConfigMapsAndSecrets secrets, PodEvents events, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// How long a failed pull shows as ErrImagePull before ImagePullBackOff. Upstream writes a
    /// sync's waiting reason at its next sync, which comes seconds later; this kubelet writes it
    /// at once and syncs again soon, so without this the ErrImagePull would hardly be seen.
    /// </summary>
    private static readonly TimeSpan ErrorShown = TimeSpan.FromSeconds(5);

    private readonly PullBackoff _backoff = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300));

    // The serial puller's queue: each pull waits for the one before it (a chain of tasks, so nothing to dispose).
    private readonly Lock _queue = new();
    private Task _lastPull = Task.CompletedTask;

    /// <summary>Returns the image's id once it is here; <paramref name="list"/> is where the container is in the pod spec, for events.</summary>
    public async Task<string> EnsureImageExistsAsync(V1Pod pod, V1Container container, string list, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        var image = container.Image;
        void Event(string type, string reason, string message) => events.Container(pod, container.Name, list, type, reason, message);
        var present = await runtime.ImageStatusAsync(image, cancellationToken);
        var policy = PolicyOf(container);
        if (present is not null && policy != ImagePullPolicy.Always)
        {
            Event(EventTypes.Normal, "Pulled", AlreadyPresent(image));
            return present.Id;
        }
        if (policy == ImagePullPolicy.Never)
        {
            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            Event(EventTypes.Warning, "ErrImageNeverPull", message);
            throw new ImageException("ErrImageNeverPull", message);
        }
        var key = pod.Metadata.Uid + "_" + image;
        var now = time.GetUtcNow();
        if (_backoff.Current(key, now) is { } failure)
        {
            if (now - failure.At < ErrorShown)
            {
                throw new ImageException("ErrImagePull", failure.Message) { RegistryUnreachable = failure.Unreachable, RetryAfter = failure.At + ErrorShown - now };
            }
            var message = $"Back-off pulling image \"{image}\"";
            Event(EventTypes.Normal, "BackOff", message);
            throw new ImageException("ImagePullBackOff", message) { RetryAfter = failure.Remaining(now) };
        }
        Event(EventTypes.Normal, "Pulling", $"Pulling image \"{image}\"");
        var asked = time.GetTimestamp();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (_queue)
        {
            (previous, _lastPull) = (_lastPull, done.Task);
        }
        try
        {
            await previous.WaitAsync(cancellationToken);
            var started = time.GetTimestamp();
            var pulled = await PullAsync(pod, image, cancellationToken);
            var (took, total) = (time.GetElapsedTime(started), time.GetElapsedTime(asked));
            Event(EventTypes.Normal, "Pulled", $"Successfully pulled image \"{image}\" in {GoDuration.Format(Milliseconds(took))} ({GoDuration.Format(Milliseconds(total))} including waiting). Image size: {pulled.Size} bytes.");
            return pulled.Id;
        }
        catch (ImageException e) when (e.RegistryUnreachable && present is not null)
        {
            // Always, on a node that reaches no registry (air-gapped): the copy here runs, where
            // upstream would fail the container; a registry that answered "no" still fails it.
            LogUsingLocalCopy(image, e.Message);
            Event(EventTypes.Normal, "Pulled", AlreadyPresent(image));
            return present.Id;
        }
        catch (ImageException e)
        {
            Event(EventTypes.Warning, "Failed", $"Failed to pull image \"{image}\": {e.Message}");
            _backoff.Next(key, time.GetUtcNow(), e.Message, e.RegistryUnreachable);
            throw new ImageException("ErrImagePull", e.Message) { RegistryUnreachable = e.RegistryUnreachable, RetryAfter = ErrorShown };
        }
        finally
        {
            // The next pull goes once this one and every one before it are done (a cancelled wait included).
            _ = previous.ContinueWith(_ => done.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public static ImagePullPolicy PolicyOf(V1Container container) => container.ImagePullPolicy switch
    {
        "Always" => ImagePullPolicy.Always,
        "Never" => ImagePullPolicy.Never,
        _ => ImagePullPolicy.IfNotPresent,
    };

    /// <summary>kuberuntime_image.go PullImage: without matching credentials one pull; else one per credential until one works.</summary>
    private async Task<ImageInfo> PullAsync(V1Pod pod, string image, CancellationToken cancellationToken)
    {
        DockerKeyring keyring;
        try
        {
            keyring = DockerKeyring.FromSecrets(await PullSecretsAsync(pod, cancellationToken));
        }
        catch (FormatException e)
        {
            throw new ImageException("ErrImagePull", e.Message);
        }
        var credentials = keyring.Lookup(ImageReference.Parse(image).FullName);
        if (credentials.Count == 0)
        {
            return await runtime.PullImageAsync(image, null, cancellationToken);
        }
        var failures = new List<ImageException>();
        foreach (var credential in credentials)
        {
            try
            {
                return await runtime.PullImageAsync(image, credential, cancellationToken);
            }
            catch (ImageException e)
            {
                failures.Add(e);
            }
        }
        // utilerrors.NewAggregate: one error as itself, several in brackets.
        throw failures.Count == 1 ? failures[0] : new ImageException("ErrImagePull", "[" + string.Join(", ", failures.Select(f => f.Message)) + "]")
        {
            RegistryUnreachable = failures.TrueForAll(f => f.RegistryUnreachable),
        };
    }

    /// <summary>kubelet.go getPullSecretsForPod: the pod's pull secrets that can be read; the others are named in a warning event.</summary>
    private async Task<List<V1Secret>> PullSecretsAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var found = new List<V1Secret>();
        var missing = new List<string>();
        foreach (var name in (pod.Spec.ImagePullSecrets ?? []).Select(s => s.Name).Where(n => !string.IsNullOrEmpty(n)))
        {
            try
            {
                if (await secrets.SecretAsync(pod.Namespace() ?? "default", name, cancellationToken) is { } secret)
                {
                    found.Add(secret);
                    continue;
                }
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or KubernetesException or IOException)
            {
                var (ns, reason) = (pod.Namespace() ?? "default", e.Message);
                LogPullSecretUnreadable(ns, name, reason);
            }
            missing.Add(name);
        }
        if (missing.Count > 0)
        {
            events.Pod(pod, EventTypes.Warning, "FailedToRetrieveImagePullSecret",
                $"Unable to retrieve some image pull secrets ({string.Join(", ", missing)}); attempting to pull the image may not succeed.");
        }
        return found;
    }

    private static string AlreadyPresent(string image) => $"Container image \"{image}\" already present on machine";

    /// <summary>Upstream truncates both durations to milliseconds before printing them Go's way.</summary>
    private static TimeSpan Milliseconds(TimeSpan duration) => TimeSpan.FromMilliseconds(Math.Floor(duration.TotalMilliseconds));

    [LoggerMessage(EventId = LogEvents.Agent + 885, Level = LogLevel.Warning, Message = "Pull of {Image} failed ({Error}); no registry is reachable, so the local copy is used")]
    private partial void LogUsingLocalCopy(string image, string error);

    [LoggerMessage(EventId = LogEvents.Agent + 886, Level = LogLevel.Information, Message = "Image pull secret {Namespace}/{Name} cannot be read: {Reason}")]
    private partial void LogPullSecretUnreadable(string @namespace, string name, string reason);
}
