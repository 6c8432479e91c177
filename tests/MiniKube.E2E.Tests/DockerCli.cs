using System.ComponentModel;
using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>The docker command line, as the tests look behind the kubelet with it.</summary>
internal static class DockerCli
{
    /// <summary>Runs docker with <paramref name="args"/> and returns its standard output.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output;
    }

    /// <summary>
    /// Removes every container a test node left: a stopped server leaves its pods' containers
    /// running, as a real node does across restarts. Test nodes are named "e2e-…".
    /// </summary>
    public static async Task RemoveTestNodesContainersAsync()
    {
        string listed;
        try
        {
            listed = await RunAsync("ps", "-a", "--filter", "label=io.mkube.managed", "--format", "{{.ID}} {{.Label \"io.mkube.managed\"}}");
        }
        catch (Win32Exception)
        {
            return; // no docker here: nothing can be left
        }
        var ids = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 2))
            .Where(parts => parts.Length == 2 && parts[1].StartsWith("e2e-", StringComparison.Ordinal))
            .Select(parts => parts[0])
            .ToArray();
        if (ids.Length > 0)
        {
            await RunAsync(["rm", "-f", "-v", .. ids]);
        }
    }
}
