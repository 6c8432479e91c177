using System.Diagnostics;
using System.Globalization;

namespace MiniKube.E2E.Tests.Packaging;

/// <summary>What a command run in the staged system printed and how it ended.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// This machine as install.sh sees it, with every write kept out of the real system: a private
/// mount namespace (held open by a sleeping process) where <c>/etc</c>, <c>/usr/local/bin</c> and
/// <c>/var/lib</c> are overlays whose writable layers lie in the test's temp dir. Commands run
/// inside it through <c>nsenter</c>, at the paths a real install uses, so the scripts, the unit
/// and its command line are tested unchanged; what they wrote is in <see cref="Written"/>, and
/// nothing of it outlives <see cref="Dispose"/>.
/// </summary>
internal sealed class StagedSystem : IDisposable
{
    /// <summary>The directories that get a writable layer, as the installer and mkube write below them.</summary>
    private static readonly string[] Overlaid = ["/etc", "/usr/local/bin", "/var/lib"];

    private readonly string _root;
    private readonly Process _holder;

    private StagedSystem(string root, Process holder)
    {
        _root = root;
        _holder = holder;
    }

    public static async Task<StagedSystem> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("mkube-e2e-install-").FullName;
        var mounts = new List<string>();
        foreach (var directory in Overlaid)
        {
            var layer = Path.Combine(root, Layer(directory));
            Directory.CreateDirectory(Path.Combine(layer, "upper"));
            Directory.CreateDirectory(Path.Combine(layer, "work"));
            mounts.Add($"mount -t overlay overlay -o lowerdir={directory},upperdir={layer}/upper,workdir={layer}/work {directory}");
        }
        var script = string.Join(" && ", mounts) + " && echo ready && exec sleep infinity";
        var holder = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var ready = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (ready != "ready")
        {
            var error = await holder.StandardError.ReadToEndAsync();
            holder.Kill();
            holder.Dispose();
            Assert.Fail($"could not stage the system (unshare and overlay mounts): {error}");
        }
        return new StagedSystem(root, holder);
    }

    /// <summary>A directory of the test's own outside the staged paths (kubectl's cache), removed with the rest.</summary>
    public string Scratch => Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;

    /// <summary>The file the staged system has at <paramref name="path"/>, if it wrote one: its path in the writable layer.</summary>
    public string Written(string path)
    {
        var directory = Overlaid.Single(d => path.StartsWith(d + "/", StringComparison.Ordinal));
        return Path.Combine(_root, Layer(directory), "upper", path[(directory.Length + 1)..]);
    }

    /// <summary>Every file (not directory) the staged system wrote, as a real-system path.</summary>
    public IReadOnlyList<string> WrittenFiles() =>
        [.. Overlaid.SelectMany(directory =>
        {
            var upper = Path.Combine(_root, Layer(directory), "upper");
            return Directory.EnumerateFileSystemEntries(upper, "*", SearchOption.AllDirectories)
                .Where(entry => !Directory.Exists(entry))
                .Select(entry => directory + "/" + Path.GetRelativePath(upper, entry));
        })];

    /// <summary>Runs <paramref name="file"/> inside, with only <paramref name="environment"/> beyond the basics, to its end.</summary>
    public async Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string>? environment, string file, params string[] args)
    {
        using var process = Process.Start(Info(environment, file, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return new CommandResult(process.ExitCode, await output, await error);
    }

    /// <summary>Starts a long-running <paramref name="file"/> inside; <c>nsenter</c> execs it, so the process is the command itself.</summary>
    public MkubeProcess Start(IReadOnlyDictionary<string, string>? environment, string file, params string[] args) =>
        new(Process.Start(Info(environment, file, args))!);

    private ProcessStartInfo Info(IReadOnlyDictionary<string, string>? environment, string file, string[] args)
    {
        var info = new ProcessStartInfo("nsenter")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[$"--mount=/proc/{_holder.Id.ToString(CultureInfo.InvariantCulture)}/ns/mnt", "--", file, .. args])
        {
            info.ArgumentList.Add(arg);
        }
        // As under systemd: the service's environment is its unit's and environment files', not the caller's.
        foreach (var name in info.Environment.Keys.Where(k => k is not ("PATH" or "HOME" or "LANG")).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return info;
    }

    private static string Layer(string directory) => directory.Trim('/').Replace('/', '-');

    public void Dispose()
    {
        // The namespace, and with it the overlays, ends with its last process.
        if (!_holder.HasExited)
        {
            _holder.Kill();
            _holder.WaitForExit();
        }
        _holder.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
