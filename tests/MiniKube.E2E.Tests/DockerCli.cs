using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

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

    /// <summary>The containers of test node <paramref name="node"/> (sandboxes and pods' containers alike), by full ID.</summary>
    public static async Task<Dictionary<string, ContainerState>> NodeContainersAsync(string node)
    {
        var ids = (await RunAsync("ps", "-a", "-q", "--no-trunc", "--filter", $"label=io.mkube.managed={node}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length == 0)
        {
            return [];
        }
        var inspected = await RunAsync(["inspect", "--format",
            "{{.Id}}|{{index .Config.Labels \"io.mkube.pod.name\"}}|{{.Name}}|{{.State.StartedAt}}|{{.RestartCount}}|{{.State.Running}}", .. ids]);
        return inspected.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|'))
            .ToDictionary(f => f[0], f => new ContainerState(f[1], f[2], f[3], int.Parse(f[4], CultureInfo.InvariantCulture), f[5] == "true"), StringComparer.Ordinal);
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

/// <summary>A container as Docker reports it: a restart by the kubelet is a new container, a restart in place a new start time and count.</summary>
internal sealed record ContainerState(string Pod, string Name, string StartedAt, int RestartCount, bool Running);
