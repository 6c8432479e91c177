namespace MiniKube.Agent.Network;

/// <summary>Kernel switches under /proc/sys and /sys that forwarding to pods needs.</summary>
public static class Sysctl
{
    /// <summary>
    /// Writes 1 to <paramref name="path"/> when it holds 0; true when it changed it. A missing
    /// file (no such module loaded) changes nothing. Throws <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the write is refused (not root).
    /// </summary>
    public static bool EnsureEnabled(string path)
    {
        if (!File.Exists(path) || File.ReadAllText(path).Trim() != "0")
        {
            return false;
        }
        File.WriteAllText(path, "1");
        return true;
    }
}
