using System.Diagnostics;

namespace MiniKube.Agent.Network;

/// <summary>
/// Runs the host's networking tools (iproute2's <c>ip</c>, <c>nsenter</c>, iptables): the one
/// OS boundary of the pod network and of the service proxy, behind an interface so the command
/// sequences can be tested with a fake. A tool that cannot be started at all throws
/// <see cref="HostCommandException"/>; a tool that ran and failed is an ordinary result.
/// </summary>
public interface IHostCommands
{
    /// <summary>Runs <paramref name="tool"/> with <paramref name="arguments"/>, writing <paramref name="input"/> (if any) to its stdin.</summary>
    Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken);
}

/// <summary>How a tool ended: its exit code and what it wrote.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>A host networking command failed; the message names the command and carries the tool's own words.</summary>
public sealed class HostCommandException(string message) : IOException(message);

/// <summary><see cref="IHostCommands"/> with real processes (no shell: arguments are passed as they are).</summary>
public sealed class HostCommands : IHostCommands
{
    public static HostCommands Instance { get; } = new();

    public async Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new HostCommandException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostCommandException($"{tool} cannot be run: {e.Message}");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
                process.StandardInput.Close();
            }
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw;
            }
            return new CommandResult(process.ExitCode, await output, await error);
        }
    }
}

/// <summary>Calls that must succeed.</summary>
public static class HostCommandsExtensions
{
    /// <summary>Runs the tool and throws <see cref="HostCommandException"/> naming it and its error when it exits non-zero.</summary>
    public static async Task<CommandResult> RunCheckedAsync(this IHostCommands commands, string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var result = await commands.RunAsync(tool, arguments, input, cancellationToken);
        if (!result.Succeeded)
        {
            throw new HostCommandException($"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error.Trim()}");
        }
        return result;
    }
}
