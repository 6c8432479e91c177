using Docker.DotNet;
using Docker.DotNet.Models;
using MiniKube.Agent.Runtime.Registries;

namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// Images on Docker: CRI's ImageStatus and PullImage. A pull goes where registries.yaml says, as
/// k3s' containerd does: each mirror endpoint in turn (its rewrite applied), then the registry
/// itself; the first that works wins and the image is tagged with the name the pod asked for
/// (the mirror's name is dropped again unless it was here before). The credential the kubelet
/// passes (from the pod's pull secrets) is used with every endpoint, as containerd's CRI uses the
/// kubelet's; without one, each endpoint's own <c>configs</c> auth.
/// </summary>
internal sealed partial class DockerRuntime
{
    public async Task<ImageInfo?> ImageStatusAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            var inspect = await CallAsync(() => _docker.Images.InspectImageAsync(ImageReference.Parse(image).Normalized.ToString(), cancellationToken));
            return new ImageInfo(inspect.ID, inspect.Size);
        }
        catch (InvalidOperationException e) when (e.InnerException is DockerImageNotFoundException)
        {
            return null;
        }
    }

    public async Task<ImageInfo> PullImageAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var wanted = ImageReference.Parse(image).Normalized;
        var registries = _registries.Current();
        var error = "";
        foreach (var source in registries.SourcesFor(wanted))
        {
            var failed = await PullFromAsync(source, credential ?? registries.CredentialFor(source.Host), wanted, cancellationToken);
            if (failed is null)
            {
                return await ImageStatusAsync(wanted.ToString(), cancellationToken)
                    ?? throw new ImageException("ErrImagePull", $"image \"{image}\" is not present after its pull");
            }
            if (source.Mirror)
            {
                var name = wanted.ToString();
                LogMirrorFailed(name, source.Host, failed);
            }
            error = failed;
        }
        // As containerd, the error is the last endpoint's: the registry itself.
        throw new ImageException("ErrImagePull", $"failed to pull image \"{image}\": {error}") { RegistryUnreachable = IsRegistryUnreachable(error) };
    }

    /// <summary>The sandbox image, pulled (through the mirrors, without pod credentials) when it is not here.</summary>
    private async Task EnsureSandboxImageAsync(CancellationToken cancellationToken)
    {
        if (await ImageStatusAsync(_sandboxImage, cancellationToken) is null)
        {
            await PullImageAsync(_sandboxImage, null, cancellationToken);
        }
    }

    /// <summary>Pulls from one source; returns Docker's error, or null once the image is here under <paramref name="wanted"/>'s name.</summary>
    private async Task<string?> PullFromAsync(PullSource source, RegistryCredential? credential, ImageReference wanted, CancellationToken cancellationToken)
    {
        var name = source.Reference.ToString();
        var hadMirrorName = source.Mirror && await ImageStatusAsync(name, cancellationToken) is not null;
        LogPulling(name);
        var progress = new ErrorCollector();
        try
        {
            // The tag is always given: an empty one would pull every tag of the repository.
            await CallAsync(() => _docker.Images.CreateImageAsync(
                new ImagesCreateParameters { FromImage = source.Reference.Repository, Tag = source.Reference.PullTag },
                AuthFor(credential, source.Host),
                progress,
                cancellationToken));
            if (progress.Error is not null || !source.Mirror)
            {
                return progress.Error;
            }
            await CallAsync(() => _docker.Images.TagImageAsync(name, new ImageTagParameters { RepositoryName = wanted.Repository, Tag = wanted.Tag }, cancellationToken));
            if (!hadMirrorName)
            {
                await CallAsync(() => _docker.Images.DeleteImageAsync(name, new ImageDeleteParameters { NoPrune = true }, cancellationToken));
            }
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>Docker's X-Registry-Auth for one pull; the daemon logs in (basic or token) with it.</summary>
    private static AuthConfig? AuthFor(RegistryCredential? credential, string host) => credential is null ? null : new AuthConfig
    {
        Username = credential.Username,
        Password = credential.Password,
        Auth = credential.Auth,
        IdentityToken = credential.IdentityToken,
        RegistryToken = credential.RegistryToken,
        ServerAddress = host,
    };

    /// <summary>
    /// Whether a pull error says no registry could be reached at all (name lookup, connection,
    /// timeout), as opposed to a registry that answered (unknown manifest, denied).
    /// </summary>
    internal static bool IsRegistryUnreachable(string pullError) =>
        UnreachableMarkers.Any(marker => pullError.Contains(marker, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] UnreachableMarkers =
    [
        "no such host", "dial tcp", "dial udp", "connection refused", "network is unreachable", "no route to host",
        "i/o timeout", "TLS handshake timeout", "request canceled while waiting for connection",
        "context deadline exceeded", "server misbehaving", "temporary failure in name resolution",
    ];

    [LoggerMessage(EventId = LogEvents.Agent + 874, Level = LogLevel.Information, Message = "Pull of {Image} from mirror {Mirror} failed ({Error}); trying the next endpoint")]
    private partial void LogMirrorFailed(string image, string mirror, string error);
}
