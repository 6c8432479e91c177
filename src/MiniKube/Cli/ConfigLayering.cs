using System.CommandLine;
using System.CommandLine.Parsing;

namespace MiniKube.Cli;

/// <summary>
/// Fills every flag that was not given on the command line from its environment twin, then
/// from the config file, leaving the built-in default last: flag &gt; environment &gt; file &gt;
/// default. Values from the environment and the file are turned back into flag tokens and
/// parsed by the same parser, so they meet the same types and validators as typed flags; an
/// error names where the bad value came from.
/// </summary>
internal static class ConfigLayering
{
    /// <summary>Environment names accepted besides a flag's own twin, for k3s users' habits.</summary>
    private static readonly Dictionary<string, string[]> ExtraEnvironmentNames = new(StringComparer.Ordinal)
    {
        ["--server"] = ["MKUBE_URL"],
    };

    /// <summary>Go's strconv.ParseBool spellings, which k3s users already write in env files.</summary>
    private static readonly Dictionary<string, string> BooleanSpellings = new(StringComparer.Ordinal)
    {
        ["1"] = "true", ["t"] = "true", ["T"] = "true", ["true"] = "true", ["TRUE"] = "true", ["True"] = "true",
        ["0"] = "false", ["f"] = "false", ["F"] = "false", ["false"] = "false", ["FALSE"] = "false", ["False"] = "false",
    };

    /// <summary>
    /// Returns the parse result with every layer applied.
    /// </summary>
    /// <param name="parsed">The parse of the command line alone, without errors.</param>
    /// <param name="configOption">The command's <c>--config</c> flag.</param>
    /// <param name="knownConfigKeys">Keys any mkube mode accepts; others in the file are an error.</param>
    /// <param name="context">The environment to read.</param>
    public static ParseResult Apply(ParseResult parsed, Option<string> configOption, ISet<string> knownConfigKeys, CliContext context)
    {
        var command = parsed.CommandResult.Command;
        var config = LoadConfig(parsed, configOption, context);
        foreach (var key in config.Keys.Where(k => !knownConfigKeys.Contains(k)))
        {
            throw new UsageException($"config file {config.Path}: unknown key \"{key}\"");
        }

        var commandPath = CommandPath(parsed.CommandResult);
        var extraTokens = new List<string>();
        foreach (var option in command.Options.Where(o => o.ValueType != typeof(void) && o != configOption))
        {
            if (parsed.GetResult(option) is { Implicit: false })
            {
                continue; // given on the command line: it wins
            }
            var layer = FromEnvironment(option, context) ?? FromConfigFile(option, config);
            if (layer is null)
            {
                continue;
            }
            var tokens = layer.Value.Values.Select(v => $"{option.Name}={Normalize(option, v)}").ToList();
            CheckAlone(parsed.RootCommandResult.Command, commandPath, option, tokens, layer.Value.Source);
            extraTokens.AddRange(tokens);
        }

        if (extraTokens.Count == 0)
        {
            return parsed;
        }
        var all = parsed.Tokens.Select(t => t.Value).Concat(extraTokens).ToList();
        return parsed.RootCommandResult.Command.Parse(all, parsed.Configuration);
    }

    private static ConfigFile LoadConfig(ParseResult parsed, Option<string> configOption, CliContext context)
    {
        var fromFlag = parsed.GetResult(configOption) is { Implicit: false } ? parsed.GetValue(configOption) : null;
        var path = fromFlag ?? NonEmpty(context.GetEnvironmentVariable(Flags.EnvironmentName(configOption)));
        if (path is not null)
        {
            return ConfigFile.Load(path); // asked for by name: it must exist
        }
        path = parsed.GetValue(configOption) ?? Defaults.ConfigFile;
        return File.Exists(path) ? ConfigFile.Load(path) : ConfigFile.Empty(path);
    }

    private static (IReadOnlyList<string> Values, string Source)? FromEnvironment(Option option, CliContext context)
    {
        var names = ExtraEnvironmentNames.GetValueOrDefault(option.Name, []).Prepend(Flags.EnvironmentName(option));
        foreach (var name in names)
        {
            if (NonEmpty(context.GetEnvironmentVariable(name)) is { } value)
            {
                IReadOnlyList<string> values = IsList(option) ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [value];
                return (values, $"environment variable {name}");
            }
        }
        return null;
    }

    private static (IReadOnlyList<string> Values, string Source)? FromConfigFile(Option option, ConfigFile config)
    {
        var key = Flags.ConfigKey(option);
        if (!config.TryGetValues(key, out var values))
        {
            return null;
        }
        if (values.Count != 1 && !IsList(option))
        {
            throw new UsageException($"config file {config.Path}: \"{key}\" takes one value, not a list");
        }
        return (values, $"config file {config.Path}, key \"{key}\"");
    }

    /// <summary>Parses one layered flag on its own so that an error can say where the value came from.</summary>
    private static void CheckAlone(Command root, IReadOnlyList<string> commandPath, Option option, List<string> tokens, string source)
    {
        var alone = root.Parse(commandPath.Concat(tokens).ToList(), MkubeCommandLine.Parsing);
        var error = alone.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult r && r.Option == option)
            ?? (alone.Errors.Count > 0 ? alone.Errors[0] : null);
        if (error is not null)
        {
            throw new UsageException($"{source}: {error.Message}");
        }
    }

    private static List<string> CommandPath(CommandResult result)
    {
        var path = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Parent is not null; r = r.Parent)
        {
            path.Insert(0, c.Command.Name);
        }
        return path;
    }

    private static string Normalize(Option option, string value) =>
        option.ValueType == typeof(bool) && BooleanSpellings.TryGetValue(value, out var spelled) ? spelled : value;

    private static bool IsList(Option option) => option.ValueType.IsArray;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
