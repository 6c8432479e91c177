namespace MiniKube.Agent.Runtime;

/// <summary>
/// An image reference split the way Docker reads it (distribution/reference): the repository,
/// then an optional <c>:tag</c> (a colon after the last slash; one before it is a registry
/// port) and an optional <c>@digest</c>. A reference with neither tag nor digest means
/// <c>:latest</c>, which <see cref="Normalized"/> spells out so that "busybox" and
/// "busybox:latest" name the same local image. <see cref="Registry"/> and <see cref="Path"/>
/// are the repository as distribution/reference's ParseNormalizedNamed reads it: what the
/// credential keyring and the registry mirrors match on.
/// </summary>
internal sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    public const string DefaultTag = "latest";

    /// <summary>The registry of images that name none (distribution/reference's defaultDomain).</summary>
    public const string DefaultRegistry = "docker.io";

    public static ImageReference Parse(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var name = image.Trim();
        string? digest = null;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
        }

        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        return new ImageReference(name, tag, digest);
    }

    /// <summary>This reference with the implied <c>:latest</c> made explicit.</summary>
    public ImageReference Normalized => Tag is null && Digest is null ? this with { Tag = DefaultTag } : this;

    /// <summary>What Docker's pull takes as its tag parameter: the digest when there is one, else the tag.</summary>
    public string PullTag => Digest ?? Tag ?? DefaultTag;

    /// <summary>
    /// The registry host (and port) the image comes from: the first path component when it looks
    /// like a host (a dot or a colon in it, <c>localhost</c>, or an upper-case letter), else
    /// docker.io; index.docker.io counts as docker.io (reference's splitDockerDomain).
    /// </summary>
    public string Registry => Split().Registry;

    /// <summary>The repository within <see cref="Registry"/>; docker.io's one-part names are under <c>library/</c>.</summary>
    public string Path => Split().Path;

    /// <summary><see cref="Registry"/>/<see cref="Path"/>: "busybox" is docker.io/library/busybox.</summary>
    public string FullName => Registry + "/" + Path;

    /// <summary>The same tag or digest on another repository (a mirror's name for this image).</summary>
    public ImageReference On(string repository) => this with { Repository = repository };

    private (string Registry, string Path) Split()
    {
        var slash = Repository.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : Repository[..slash];
        var isHost = slash >= 0 && (first.IndexOfAny(['.', ':']) >= 0 || first == "localhost" || first.Any(char.IsUpper));
        var (registry, path) = isHost ? (first, Repository[(slash + 1)..]) : (DefaultRegistry, Repository);
        if (registry == "index.docker.io")
        {
            registry = DefaultRegistry;
        }
        return registry == DefaultRegistry && !path.Contains('/', StringComparison.Ordinal) ? (registry, "library/" + path) : (registry, path);
    }

    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
}
