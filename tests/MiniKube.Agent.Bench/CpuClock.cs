using System.Runtime.InteropServices;

namespace MiniKube.Agent.Bench;

/// <summary>
/// CPU time of this process plus its ended children (getrusage RUSAGE_SELF + RUSAGE_CHILDREN):
/// what a sync costs including the iptables-restore and ipset processes it runs (each is waited
/// for, so its time is counted once it returns).
/// </summary>
internal static partial class CpuClock
{
    private const int Self = 0;
    private const int Children = -1;

    public static TimeSpan Now() => Used(Self) + Used(Children);

    private static TimeSpan Used(int who)
    {
        if (getrusage(who, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: {Marshal.GetLastPInvokeError()}");
        }
        return TimeSpan.FromMicroseconds((usage.UserSeconds * 1_000_000.0) + usage.UserMicroseconds + (usage.SystemSeconds * 1_000_000.0) + usage.SystemMicroseconds);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);

    /// <summary>The two timevals at the head of struct rusage (x86-64/arm64 layout: 144 bytes), the rest left unread.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }
}
