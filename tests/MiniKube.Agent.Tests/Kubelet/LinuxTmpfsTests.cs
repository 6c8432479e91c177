using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

/// <summary>The real tmpfs: needs root (as Docker nodes run); skipped otherwise.</summary>
[TestFixture]
[Category("Integration")]
public sealed class LinuxTmpfsTests
{
    [Test]
    public void EnsureMountedThenUnmountAll_SecretsLiveInMemoryAndTheDirectoryCanGo()
    {
        Assume.That(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "mounting needs root on Linux");
        var pod = Directory.CreateTempSubdirectory("mkube-tmpfs-").FullName;
        var volume = Directory.CreateDirectory(Path.Combine(pod, "volumes", "sec")).FullName;
        var tmpfs = new LinuxTmpfs();
        try
        {
            tmpfs.EnsureMounted(volume);
            tmpfs.EnsureMounted(volume); // once is enough: the second call finds it mounted
            File.WriteAllText(Path.Combine(volume, "password"), "hunter2");

            var mounts = File.ReadLines("/proc/self/mountinfo").Where(l => l.Split(' ')[4] == volume).ToList();
            Assert.That(mounts, Has.Count.EqualTo(1));
            Assert.That(mounts[0], Does.Contain(" - tmpfs "));
        }
        finally
        {
            tmpfs.UnmountAll(pod);
        }

        Assert.That(File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4].StartsWith(pod, StringComparison.Ordinal)), Is.False);
        Assert.That(File.Exists(Path.Combine(volume, "password")), Is.False, "the file lived on the tmpfs, not on disk");
        Directory.Delete(pod, recursive: true);
    }
}
