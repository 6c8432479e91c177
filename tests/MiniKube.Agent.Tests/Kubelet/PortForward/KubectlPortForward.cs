using System.Diagnostics;
using System.Text;

namespace MiniKube.Agent.Tests.Kubelet.PortForward;

/// <summary>
/// A running <c>kubectl port-forward</c> of one pinned version (kubectl.1.NN beside the
/// /usr/bin/kubectl dispatcher's target), with its own HOME so no cache on the machine is used,
/// at <c>-v=6</c> so the requests it made can be checked. Started once it prints "Forwarding
/// from"; disposing kills it.
/// </summary>
internal sealed class KubectlPortForward : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _forwarding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KubectlPortForward(Process process) => _process = process;

    /// <summary>Everything kubectl wrote so far, both streams.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool Exited => _process.HasExited;

    public static string Binary(string version)
    {
        var dispatcher = new FileInfo("/usr/bin/kubectl");
        var target = dispatcher.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dispatcher.FullName;
        var versioned = Path.Combine(Path.GetDirectoryName(target)!, "kubectl." + version);
        Assert.That(File.Exists(versioned), Is.True, $"kubectl {version} is not installed at {versioned}");
        return versioned;
    }

    public static async Task<KubectlPortForward> StartAsync(string version, string kubeconfig, string home, string target, int localPort, int remotePort)
    {
        var start = new ProcessStartInfo(Binary(version))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = home,
        };
        foreach (var argument in (string[])["--kubeconfig", kubeconfig, "-v=6", "port-forward", target, $"{localPort}:{remotePort}", "--address", "127.0.0.1"])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["HOME"] = home;
        start.Environment.Remove("KUBECONFIG");
        var forward = new KubectlPortForward(Process.Start(start)!);
        forward._process.OutputDataReceived += (_, line) => forward.Append(line.Data);
        forward._process.ErrorDataReceived += (_, line) => forward.Append(line.Data);
        forward._process.BeginOutputReadLine();
        forward._process.BeginErrorReadLine();
        var exited = forward._process.WaitForExitAsync();
        if (await Task.WhenAny(forward._forwarding.Task, exited, Task.Delay(TimeSpan.FromSeconds(20))) != forward._forwarding.Task)
        {
            var output = forward.Output;
            await forward.DisposeAsync();
            Assert.Fail("kubectl port-forward did not start forwarding:\n" + output);
        }
        return forward;
    }

    /// <summary>Waits until kubectl has written <paramref name="text"/> (or 20 s).</summary>
    public async Task<bool> WaitForOutputAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        // In the test's output, for whoever reads a failure.
        await TestContext.Out.WriteLineAsync("kubectl said:\n" + Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        if (line.StartsWith("Forwarding from", StringComparison.Ordinal))
        {
            _forwarding.TrySetResult();
        }
    }
}
