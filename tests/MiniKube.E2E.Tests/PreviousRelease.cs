using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>
/// The mkube release before the current store format, built from the repository's own history:
/// the parent of the commit that introduced <see cref="StoreFormat"/>, which is main as it was
/// before any store change of issue 17 (store format <see cref="PreviousStoreFormat"/>). There
/// are no release tags yet; when there are, the newest tag before the format change is the one
/// to build. The build needs the history (a full clone, as CI makes) and takes minutes on a
/// small machine, so the binary is kept in <see cref="CacheRoot"/> by commit hash: a commit's
/// source never changes, so neither does what it builds to.
/// </summary>
internal static class PreviousRelease
{
    /// <summary>The FORMAT line of the store this source writes.</summary>
    public const string StoreFormat = "mkube-store 2";

    /// <summary>The FORMAT line the previous release writes and reads.</summary>
    public const string PreviousStoreFormat = "mkube-store 1";

    /// <summary>The file whose FormatLine constant names the store format.</summary>
    private const string FormatSource = "src/MiniKube.Storage/Embedded/EmbeddedStore.cs";

    private static readonly string CacheRoot = Path.Combine("/var/tmp", "mkube-previous-release");

    /// <summary>The previous release's commit and its published binary, built now unless a run before built it.</summary>
    public static async Task<(string Commit, string Binary)> BinaryAsync()
    {
        var root = MkubeBinary.RepositoryRoot();
        var commit = await CommitAsync(root);
        var binary = Path.Combine(CacheRoot, commit, "mkube");
        if (!File.Exists(binary))
        {
            await BuildAsync(root, commit, binary);
        }
        return (commit, binary);
    }

    /// <summary>The parent of the oldest commit whose <see cref="FormatSource"/> gained <see cref="StoreFormat"/>.</summary>
    private static async Task<string> CommitAsync(string root)
    {
        var introduced = (await GitAsync(root, "log", "--reverse", "--format=%H", "-S", $"\"{StoreFormat}\"", "--", FormatSource))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (introduced is null)
        {
            Assert.Fail($"no commit in {root}'s history introduced \"{StoreFormat}\" in {FormatSource}: the test needs the full history (a clone without --depth)");
        }
        return (await GitAsync(root, "rev-parse", "--verify", introduced + "^")).Trim();
    }

    /// <summary>
    /// The commit's tree, exported with <c>git archive</c> (the repository itself is left alone),
    /// published by that tree's own <c>scripts/publish</c> as its release was; the binary is moved
    /// into the cache by a rename, so a run that is cut short never leaves half a binary there.
    /// </summary>
    private static async Task BuildAsync(string root, string commit, string binary)
    {
        Directory.CreateDirectory(CacheRoot);
        var tree = Directory.CreateTempSubdirectory("mkube-previous-release-").FullName;
        try
        {
            var archive = Path.Combine(tree, "source.tar");
            await GitAsync(root, "archive", "--output", archive, commit);
            await RunAsync("tar", tree, null, "-xf", archive);
            var log = Path.Combine(tree, "publish.log");
            var clock = Stopwatch.StartNew();
            var code = await RunAsync("bash", tree, log, "scripts/publish");
            var published = Path.Combine(tree, "artifacts", "publish", "mkube");
            if (code != 0 || !File.Exists(published))
            {
                Assert.Fail($"scripts/publish of {commit} failed (exit {code}):\n{string.Join('\n', File.ReadLines(log).TakeLast(40))}");
            }
            TestContext.Progress.WriteLine($"built the previous release {commit} in {clock.Elapsed.TotalSeconds:F0} s");
            Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
            File.Move(published, binary + ".tmp-" + Environment.ProcessId, overwrite: true);
            File.Move(binary + ".tmp-" + Environment.ProcessId, binary, overwrite: true);
        }
        finally
        {
            Directory.Delete(tree, recursive: true);
        }
    }

    private static async Task<string> GitAsync(string root, params string[] args)
    {
        var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-C");
        info.ArgumentList.Add(root);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.That(git.ExitCode, Is.Zero, $"git {string.Join(' ', args)}: {error}");
        return await output;
    }

    /// <summary>
    /// Runs <paramref name="file"/> in <paramref name="directory"/>, its output into <paramref name="log"/>
    /// (not a pipe: MSBuild and compiler servers outlive a build and would hold a pipe open).
    /// The test host's MSBuild variables are removed so the build finds its SDK as a shell's would,
    /// and no build server is left behind.
    /// </summary>
    private static async Task<int> RunAsync(string file, string directory, string? log, params string[] args)
    {
        var command = string.Join(' ', [file, .. args.Select(a => $"'{a}'")]);
        var info = new ProcessStartInfo("bash", ["-c", log is null ? command : $"{command} > '{log}' 2>&1"])
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
