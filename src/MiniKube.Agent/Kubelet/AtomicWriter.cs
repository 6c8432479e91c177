using System.Runtime.InteropServices;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Writes a volume's files so a container never sees half an update (pkg/volume/util
/// atomic_writer.go): the files go into a fresh hidden directory <c>..&lt;timestamp&gt;</c>, the
/// <c>..data</c> link is swapped to it with one rename, and each visible top-level name is a
/// relative link through <c>..data</c>. Rewriting the same content changes nothing, so a pod's
/// volumes can be refreshed on every sync; a changed ConfigMap or a renewed token appears at once
/// to readers that follow the links, as on upstream's nodes.
/// </summary>
internal static partial class AtomicWriter
{
    private const string DataLink = "..data";

    /// <summary>One file of a volume: its path below the volume, content and mode.</summary>
    public sealed record File(string Path, byte[] Content, UnixFileMode Mode);

    /// <summary>Whether <paramref name="directory"/> holds content written before (its <c>..data</c> link).</summary>
    public static bool HasContent(string directory) => Path.Exists(Path.Combine(directory, DataLink));

    /// <summary>Makes <paramref name="directory"/> hold exactly <paramref name="files"/>; false when it already did.</summary>
    public static bool Write(string directory, IReadOnlyList<File> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        Directory.CreateDirectory(directory);
        var dataLink = Path.Combine(directory, DataLink);
        var current = new FileInfo(dataLink).LinkTarget is { } target ? Path.Combine(directory, target) : null;
        if (current is not null && Holds(current, files))
        {
            return false;
        }
        var fresh = Path.Combine(directory, ".." + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(fresh);
        foreach (var file in files)
        {
            var path = Path.Combine(fresh, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            System.IO.File.WriteAllBytes(path, file.Content);
            System.IO.File.SetUnixFileMode(path, file.Mode);
        }
        var temporary = Path.Combine(directory, DataLink + "_tmp");
        System.IO.File.Delete(temporary);
        System.IO.File.CreateSymbolicLink(temporary, Path.GetFileName(fresh));
        // rename(2) replaces the old link in one step: readers see the old set or the new one.
        // (File.Move refuses a link to a directory, and Directory.Move will not replace.)
        if (Rename(temporary, dataLink) != 0)
        {
            throw new IOException($"rename {temporary} to {dataLink}: errno {Marshal.GetLastPInvokeError()}");
        }
        var visible = files.Select(f => f.Path.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var name in visible)
        {
            var link = new FileInfo(Path.Combine(directory, name));
            if (link.LinkTarget is not null)
            {
                continue;
            }
            // A plain file or directory by that name: written before volumes were atomic.
            if (Directory.Exists(link.FullName))
            {
                Directory.Delete(link.FullName, recursive: true);
            }
            link.Delete();
            System.IO.File.CreateSymbolicLink(link.FullName, Path.Combine(DataLink, name));
        }
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            var stale = entry.LinkTarget is { } linkTarget && linkTarget.StartsWith(DataLink + "/", StringComparison.Ordinal) && !visible.Contains(entry.Name);
            if (stale)
            {
                entry.Delete();
            }
            else if (entry is DirectoryInfo { LinkTarget: null } old && old.Name.StartsWith("..", StringComparison.Ordinal) && old.FullName != fresh)
            {
                old.Delete(recursive: true);
            }
        }
        return true;
    }

    private static bool Holds(string directory, IReadOnlyList<File> files)
    {
        if (!Directory.Exists(directory) || Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count() != files.Count)
        {
            return false;
        }
        foreach (var file in files)
        {
            var path = Path.Combine(directory, file.Path);
            if (!System.IO.File.Exists(path) || System.IO.File.GetUnixFileMode(path) != file.Mode || !System.IO.File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Content))
            {
                return false;
            }
        }
        return true;
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string oldPath, string newPath);
}
