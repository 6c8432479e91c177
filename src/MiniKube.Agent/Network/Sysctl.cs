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

    /// <summary><see cref="EnsureEnabled"/> that reports a refusal instead of throwing: null when the switch is on (<paramref name="changed"/>: by this call), else why not.</summary>
    public static string? TryEnable(string path, out bool changed)
    {
        try
        {
            changed = EnsureEnabled(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            changed = false;
            return e.Message;
        }
    }
}
