using System.Runtime.InteropServices;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// Memory-backed directories for secret volumes, so secrets never reach the node's disk (upstream
/// mounts each secret volume as tmpfs, pkg/volume/secret through emptyDir with medium Memory).
/// The one boundary where the kubelet mounts anything; tests use a fake.
/// </summary>
internal interface ITmpfs
{
    /// <summary>Mounts a tmpfs at <paramref name="directory"/> (which exists) unless one is there already.</summary>
    void EnsureMounted(string directory);

    /// <summary>Unmounts every tmpfs at or below <paramref name="directory"/> (a pod's directory, before it is deleted).</summary>
    void UnmountAll(string directory);
}

/// <summary>For nodes without real containers (simulated): secret volumes stay plain directories.</summary>
internal sealed class NoTmpfs : ITmpfs
{
    public static NoTmpfs Instance { get; } = new();

    public void EnsureMounted(string directory)
    {
    }

    public void UnmountAll(string directory)
    {
    }
}

/// <summary>
/// tmpfs through mount(2) and umount2(2); needs root (CAP_SYS_ADMIN), as Docker nodes run. What is
/// mounted is read from /proc/self/mountinfo, so a restarted kubelet finds its mounts again.
/// </summary>
internal sealed partial class LinuxTmpfs : ITmpfs
{
    private const ulong MsNoSuid = 2;
    private const ulong MsNoDev = 4;
    private const int MntDetach = 2;

    public void EnsureMounted(string directory)
    {
        var path = Path.GetFullPath(directory);
        if (MountPoints().Contains(path))
        {
            return;
        }
        if (Mount("tmpfs", path, "tmpfs", MsNoSuid | MsNoDev, "mode=0755") != 0)
        {
            throw new IOException($"cannot mount a tmpfs at {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    public void UnmountAll(string directory)
    {
        var root = Path.GetFullPath(directory).TrimEnd('/');
        // Deepest first, so a mount inside another comes off before its parent.
        foreach (var point in MountPoints().Where(p => p == root || p.StartsWith(root + "/", StringComparison.Ordinal)).OrderByDescending(p => p.Length))
        {
            if (Unmount(point, MntDetach) != 0)
            {
                throw new IOException($"cannot unmount the tmpfs at {point}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
    }

    /// <summary>The tmpfs mount points of this mount namespace (field 5 of mountinfo; octal escapes as the kernel writes them).</summary>
    private static HashSet<string> MountPoints() =>
        [.. File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 8 && fields[Array.IndexOf(fields, "-") + 1] == "tmpfs")
            .Select(fields => Unescape(fields[4]))];

    private static string Unescape(string field) =>
        field.Replace("\\040", " ", StringComparison.Ordinal).Replace("\\011", "\t", StringComparison.Ordinal).Replace("\\012", "\n", StringComparison.Ordinal).Replace("\\134", "\\", StringComparison.Ordinal);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Unmount(string target, int flags);
}
