namespace MiniKube.Agent.Runtime.Docker;

/// <summary>
/// An image reference split the way Docker reads it (distribution/reference): the repository,
/// then an optional <c>:tag</c> (a colon after the last slash; one before it is a registry
/// port) and an optional <c>@digest</c>. A reference with neither tag nor digest means
/// <c>:latest</c>, which <see cref="Normalized"/> spells out so that "busybox" and
/// "busybox:latest" name the same local image.
/// </summary>
internal sealed record ImageReference(string Repository, string? Tag, string? Digest)
{
    public const string DefaultTag = "latest";

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

    public override string ToString() =>
        Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
}
