namespace MiniKube.Cli;

/// <summary>What the command line reads from and writes to; tests pass their own.</summary>
/// <param name="GetEnvironmentVariable">Looks up an environment variable, null when unset.</param>
/// <param name="Out">Where help and version text go.</param>
/// <param name="Error">Where usage errors go.</param>
public sealed record CliContext(Func<string, string?> GetEnvironmentVariable, TextWriter Out, TextWriter Error)
{
    public static CliContext FromProcess() => new(Environment.GetEnvironmentVariable, Console.Out, Console.Error);
}
