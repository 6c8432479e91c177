using System.Diagnostics;

namespace MiniKube.E2E.Tests;

/// <summary>What a kubectl run printed and how it ended.</summary>
public sealed record KubectlResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// The real kubectl (/usr/bin/kubectl picks its version from the server's /version), given only
/// a kubeconfig and a private discovery cache so no test sees another's discovery.
/// </summary>
public sealed class Kubectl(string kubeconfig, string cacheDir)
{
    public async Task<KubectlResult> RunAsync(params string[] args) => await RunWithAsync(null, null, args);

    public async Task<KubectlResult> RunWithAsync(string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(stdin is not null, environment, args);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return new KubectlResult(process.ExitCode, await output, await error);
    }

    /// <summary>Succeeds or fails the test with everything kubectl said.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.That(result.ExitCode, Is.Zero, $"kubectl {string.Join(' ', args)}\n{result}");
        return result.Output;
    }

    /// <summary><c>kubectl apply -f -</c> of <paramref name="manifest"/>; succeeds or fails the test with everything kubectl said.</summary>
    public async Task ApplyAsync(string manifest)
    {
        var applied = await RunWithAsync(manifest, null, "apply", "-f", "-");
        Assert.That(applied.ExitCode, Is.Zero, $"kubectl apply\n{applied}");
    }

    /// <summary>A long-running kubectl (get -w) whose output lines arrive as they are printed.</summary>
    public Process Start(bool redirectInput, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(kubeconfig);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(cacheDir);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment.Remove("KUBECONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return Process.Start(info)!;
    }
}
