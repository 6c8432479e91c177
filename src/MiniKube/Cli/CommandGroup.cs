using System.CommandLine;

namespace MiniKube.Cli;

/// <summary>A command that only groups subcommands (<c>mkube snapshot save|restore</c>, <c>mkube certificate check|rotate</c>).</summary>
internal abstract class CommandGroup : Command
{
    protected CommandGroup(string name, string description, params Command[] subcommands)
        : base(name, description)
    {
        foreach (var subcommand in subcommands)
        {
            Add(subcommand);
        }
    }

    /// <summary>The subcommands that take mode flags, for config layering of their flags.</summary>
    public IEnumerable<ModeCommand> Modes => Subcommands.OfType<ModeCommand>();
}
