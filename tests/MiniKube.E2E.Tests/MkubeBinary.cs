using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The published mkube executable, run as a user would run it. <c>scripts/test</c> publishes it
/// to <c>artifacts/publish/mkube</c>; <c>MKUBE_BINARY</c> points elsewhere.
/// </summary>
internal static partial class MkubeBinary
{
    public static string Path { get; } = Environment.GetEnvironmentVariable("MKUBE_BINARY") is { Length: > 0 } path
        ? path
        : System.IO.Path.Combine(RepositoryRoot(), "artifacts", "publish", "mkube");

    public static MkubeProcess Start(IReadOnlyDictionary<string, string>? environment = null, params string[] args)
    {
        if (!File.Exists(Path))
        {
            Assert.Fail($"{Path} does not exist: run scripts/publish (scripts/test does) or set MKUBE_BINARY");
        }
        return Launch(Path, environment, args);
    }

    /// <summary>Another build of mkube than the one under test, such as an earlier release, run the same way.</summary>
    public static MkubeProcess StartBinary(string binary, params string[] args) => Launch(binary, null, args);

    /// <summary>
    /// The binary inside network namespace <paramref name="networkNamespace"/> (<c>/run/netns/NAME</c>),
    /// as a second machine's node: <c>nsenter --net</c> execs it, so the process is mkube itself.
    /// </summary>
    public static MkubeProcess StartInNetworkNamespace(string networkNamespace, params string[] args)
    {
        if (!File.Exists(Path))
        {
            Assert.Fail($"{Path} does not exist: run scripts/publish (scripts/test does) or set MKUBE_BINARY");
        }
        return StartBinaryInNetworkNamespace(Path, networkNamespace, args);
    }

    /// <summary>Another build of mkube (<see cref="StartBinary"/>) inside a network namespace, as <see cref="StartInNetworkNamespace"/> runs the one under test.</summary>
    public static MkubeProcess StartBinaryInNetworkNamespace(string binary, string networkNamespace, params string[] args) =>
        Launch("nsenter", null, [$"--net=/run/netns/{networkNamespace}", "--", binary, .. args]);

    /// <summary>
    /// <c>scripts/run ARGS</c>, the README's Run command: it builds only what is missing or stale,
    /// then execs the repository's published binary (the process is mkube itself from then on).
    /// </summary>
    public static MkubeProcess StartRunScript(params string[] args) =>
        Launch(System.IO.Path.Combine(RepositoryRoot(), "scripts", "run"), null, args);

    private static MkubeProcess Launch(string file, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        // Start from a clean slate: a developer's own MKUBE_ variables must not leak into tests.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MKUBE_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return new MkubeProcess(Process.Start(info)!);
    }

    public static async Task<MkubeProcess> RunToEndAsync(params string[] args)
    {
        var process = Start(null, args);
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return process;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "MiniKube.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("MiniKube.sln not found above " + AppContext.BaseDirectory);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}

/// <summary>A running mkube with its output collected line by line.</summary>
internal sealed class MkubeProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    public MkubeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _stdout.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _stderr.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Stdout => [.. _stdout];

    public IReadOnlyList<string> Stderr => [.. _stderr];

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public void Signal(int signal) => Assert.That(MkubeBinary.Kill(_process.Id, signal), Is.Zero, "kill failed");

    /// <summary>Waits for a stderr line containing <paramref name="text"/>; fails if the process exits first.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!Stderr.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (_process.HasExited)
            {
                Assert.Fail($"mkube exited ({_process.ExitCode}) before logging \"{text}\":\n{string.Join('\n', Stderr)}");
            }
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"no \"{text}\" in mkube's log within {timeout}:\n{string.Join('\n', Stderr)}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"mkube did not exit within {timeout}:\n{string.Join('\n', Stderr)}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
