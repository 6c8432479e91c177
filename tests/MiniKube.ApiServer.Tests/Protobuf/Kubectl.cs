using System.Diagnostics;

namespace MiniKube.ApiServer.Tests.Protobuf;

/// <summary>Result of one kubectl run.</summary>
public sealed record KubectlResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs the real kubectl 1.32 (the first version that sends protobuf bodies) with an empty
/// kubeconfig and a private home and cache, so nothing on the machine leaks into a test.
/// </summary>
public sealed class Kubectl(string workDirectory)
{
    /// <summary>kubectl.1.32 next to the /usr/bin/kubectl dispatcher's target, or null when absent.</summary>
    public static string? FindBinary()
    {
        var dispatcher = new FileInfo("/usr/bin/kubectl");
        if (!dispatcher.Exists)
        {
            return null;
        }
        var target = dispatcher.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dispatcher.FullName;
        var versioned = Path.Combine(Path.GetDirectoryName(target)!, "kubectl.1.32");
        return File.Exists(versioned) ? versioned : null;
    }

    public async Task<KubectlResult> RunAsync(string binary, string server, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(workDirectory, "kubeconfig");
        if (!File.Exists(kubeconfig))
        {
            await File.WriteAllTextAsync(kubeconfig, "", cancellationToken);
        }
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workDirectory,
        };
        // Global flags go first: anything after a "--" in the arguments belongs to the container.
        start.ArgumentList.Add("--server=" + server);
        start.ArgumentList.Add("--cache-dir=" + Path.Combine(workDirectory, "cache"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = workDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new KubectlResult(process.ExitCode, await output, await error);
    }
}
