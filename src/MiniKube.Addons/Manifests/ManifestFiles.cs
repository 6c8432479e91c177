namespace MiniKube.Addons.Manifests;

/// <summary>A manifest file of the directory: its path below the directory ('/'-separated) and on disk.</summary>
public sealed record ManifestFile(string RelativePath, string FullPath);

/// <summary>
/// Which files of the manifests directory count, as k3s' deploy controller decides
/// (pkg/deploy/controller.go: listFilesIn, shouldSkipFile): every <c>.yaml</c>, <c>.yml</c> and
/// <c>.json</c> file, in subdirectories too, except hidden files and folders (a leading dot: what
/// editors and <c>cp</c> write as temporaries) and a file with a <c>&lt;name&gt;.skip</c> beside it.
/// Ordered by path, so files apply in a stable order.
/// </summary>
public static class ManifestFiles
{
    /// <summary>What marks a manifest as suppressed: <c>web.yaml.skip</c> beside <c>web.yaml</c>.</summary>
    public const string SkipSuffix = ".skip";

    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>The manifests of <paramref name="directory"/> (none when it does not exist).</summary>
    /// <exception cref="IOException">The directory could not be read; the caller keeps what it had rather than treat every file as removed.</exception>
    /// <exception cref="UnauthorizedAccessException">As <see cref="IOException"/>.</exception>
    public static IReadOnlyList<ManifestFile> Scan(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            return [];
        }
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            // An unreadable subfolder must fail the scan, not look like a folder whose files were removed.
            IgnoreInaccessible = false,
        };
        var paths = Directory.EnumerateFiles(directory, "*", options)
            .Select(full => (Relative: Path.GetRelativePath(directory, full).Replace(Path.DirectorySeparatorChar, '/'), Full: full))
            .Where(f => !f.Relative.Split('/').Any(part => part.StartsWith('.')))
            .ToList();
        var skipped = paths.Where(f => f.Relative.EndsWith(SkipSuffix, StringComparison.Ordinal))
            .Select(f => f.Relative[..^SkipSuffix.Length])
            .ToHashSet(StringComparer.Ordinal);
        return [.. paths
            .Where(f => IsManifest(f.Relative) && !skipped.Contains(f.Relative))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => new ManifestFile(f.Relative, f.Full))];
    }

    /// <summary>Whether the file's extension makes it a manifest (case-insensitive).</summary>
    public static bool IsManifest(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the file is JSON rather than YAML.</summary>
    public static bool IsJson(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
}
