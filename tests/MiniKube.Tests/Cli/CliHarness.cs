using MiniKube.Cli;

namespace MiniKube.Tests.Cli;

/// <summary>A command line with its own environment, output and temp directory.</summary>
internal sealed class CliHarness : IDisposable
{
    public Dictionary<string, string> Environment { get; } = [];

    public StringWriter Out { get; } = new();

    public StringWriter Error { get; } = new();

    public string TempDir { get; } = Directory.CreateTempSubdirectory("mkube-cli-").FullName;

    public MkubeCommandLine CommandLine => new(new CliContext(name => Environment.GetValueOrDefault(name), Out, Error));

    public string[] ErrorLines => Error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public Task<int> RunAsync(params string[] args) => CommandLine.InvokeAsync(args);

    /// <summary>Writes a config file and points the environment's MKUBE_CONFIG at it.</summary>
    public string WriteConfig(string yaml)
    {
        var path = Path.Combine(TempDir, "config.yaml");
        File.WriteAllText(path, yaml);
        Environment["MKUBE_CONFIG"] = path;
        return path;
    }

    public void Dispose()
    {
        Out.Dispose();
        Error.Dispose();
        Directory.Delete(TempDir, recursive: true);
    }
}
