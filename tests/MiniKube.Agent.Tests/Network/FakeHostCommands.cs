using MiniKube.Agent.Network;

namespace MiniKube.Agent.Tests.Network;

/// <summary>Records every command and answers from rules the test sets (first match wins; success with no output otherwise).</summary>
internal sealed class FakeHostCommands : IHostCommands
{
    private readonly List<(Func<string, bool> Matches, CommandResult Result)> _answers = [];

    public List<(string Line, string? Input)> Calls { get; } = [];

    /// <summary>The command lines run, as <c>tool arg arg …</c>.</summary>
    public IEnumerable<string> Lines => Calls.Select(c => c.Line);

    /// <summary>Commands whose line starts with <paramref name="prefix"/> end with <paramref name="exitCode"/> and <paramref name="output"/>.</summary>
    public FakeHostCommands Answer(string prefix, int exitCode, string output = "", string error = "")
    {
        _answers.Add((line => line.StartsWith(prefix, StringComparison.Ordinal), new CommandResult(exitCode, output, error)));
        return this;
    }

    public Task<CommandResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input, CancellationToken cancellationToken)
    {
        var line = string.Join(' ', [tool, .. arguments]);
        Calls.Add((line, input));
        var answer = _answers.FirstOrDefault(a => a.Matches(line));
        return Task.FromResult(answer.Result ?? new CommandResult(0, "", ""));
    }
}
