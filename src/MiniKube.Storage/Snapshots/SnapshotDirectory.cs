using System.Globalization;
using System.Text.RegularExpressions;

namespace MiniKube.Storage.Snapshots;

/// <summary>
/// The snapshots of one server, as files in one directory (<c>DATA_DIR/server/snapshots</c>),
/// named as k3s names its etcd snapshots: <c>&lt;name&gt;-&lt;node&gt;-&lt;unix seconds&gt;</c>,
/// where the name is <c>etcd-snapshot</c> for scheduled ones and <c>on-demand</c> for
/// <c>mkube snapshot save</c> unless <c>--name</c> says otherwise. Retention counts the files of one
/// name prefix and removes the oldest (by the time in the name), as k3s' prune does. The directory
/// is owner-only; temp files of a snapshot being written are never listed.
/// </summary>
public sealed partial class SnapshotDirectory(string path)
{
    /// <summary>k3s' base name of scheduled snapshots (--etcd-snapshot-name).</summary>
    public const string ScheduledName = "etcd-snapshot";

    /// <summary>k3s' base name of on-demand snapshots (etcd-snapshot save --name).</summary>
    public const string OnDemandName = "on-demand";

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>
    /// Whether <paramref name="name"/> can start a snapshot file's name: a DNS-1123 label-like word,
    /// so it never holds a path separator and a prefix match cannot cross into another name's files.
    /// </summary>
    public static bool IsValidName(string name) => name.Length is > 0 and <= 200 && NameSyntax().IsMatch(name);

    /// <summary>Creates the directory (owner-only) if it does not exist yet.</summary>
    public void Create() =>
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>The file for a new snapshot named <paramref name="name"/> of <paramref name="node"/> taken at <paramref name="now"/>.</summary>
    public string NewFile(string name, string node, DateTimeOffset now)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"snapshot name \"{name}\" must be lowercase letters, digits, '-' and '.', starting with a letter or digit", nameof(name));
        }
        var file = System.IO.Path.Combine(Path, $"{name}-{node}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}");
        if (File.Exists(file))
        {
            throw new IOException($"{file} already exists (one snapshot of a name per second); try again");
        }
        return file;
    }

    /// <summary>The snapshots in the directory, newest first; none when it does not exist.</summary>
    public IReadOnlyList<SnapshotFile> List()
    {
        if (!Directory.Exists(Path))
        {
            return [];
        }
        return [.. new DirectoryInfo(Path).EnumerateFiles()
            .Where(f => !f.Name.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => new SnapshotFile(f.Name, f.FullName, f.Length, CreatedAt(f)))
            .OrderByDescending(s => s.Created)
            .ThenByDescending(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>Deletes the snapshot called <paramref name="name"/> (a file name in this directory); false when there is none.</summary>
    public bool Delete(string name)
    {
        if (name.Length == 0 || name != System.IO.Path.GetFileName(name) || name is "." or "..")
        {
            throw new ArgumentException($"\"{name}\" is not a snapshot name (see mkube snapshot ls)", nameof(name));
        }
        var file = System.IO.Path.Combine(Path, name);
        if (!File.Exists(file))
        {
            return false;
        }
        File.Delete(file);
        return true;
    }

    /// <summary>
    /// Keeps the <paramref name="retention"/> newest snapshots whose names start with
    /// <c><paramref name="name"/>-</c> and deletes the rest; returns what it deleted.
    /// </summary>
    public IReadOnlyList<SnapshotFile> Prune(string name, int retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, 1);
        var doomed = List().Where(s => s.Name.StartsWith(name + "-", StringComparison.Ordinal)).Skip(retention).ToList();
        foreach (var snapshot in doomed)
        {
            File.Delete(snapshot.Path);
        }
        return doomed;
    }

    /// <summary>The unix time at the end of the name when there is one (what k3s orders by), else the file's modification time.</summary>
    private static DateTimeOffset CreatedAt(FileInfo file)
    {
        var dash = file.Name.LastIndexOf('-');
        return dash >= 0 && long.TryParse(file.Name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex NameSyntax();
}

/// <summary>One snapshot file: its name, full path, size in bytes and when it was taken.</summary>
public sealed record SnapshotFile(string Name, string Path, long Size, DateTimeOffset Created);
