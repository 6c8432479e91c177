using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>sh -c, for the host-side plumbing of the tests (network namespaces, links, packet rules).</summary>
internal static class Shell
{
    /// <summary>Runs <paramref name="script"/>; its exit code and what it printed, stderr included.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string script)
    {
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", script + " 2>&1"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();
        return (shell.ExitCode, output);
    }

    /// <summary>Runs <paramref name="script"/> and fails the test with its output unless it succeeds.</summary>
    public static async Task CheckedAsync(string script)
    {
        var (code, output) = await RunAsync(script);
        Assert.That(code, Is.Zero, $"{script}: {output}");
    }
}
