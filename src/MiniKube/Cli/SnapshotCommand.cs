using System.CommandLine;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Hosting;
using MiniKube.Storage.Embedded;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube snapshot save|ls|delete|prune|restore</c>, k3s' <c>etcd-snapshot</c>: <c>save</c> asks the
/// running server for a snapshot (over its local socket, without stopping it) or, when none runs,
/// opens the store itself; <c>ls</c>, <c>delete</c> and <c>prune</c> work on the files in
/// <c>DATA_DIR/server/snapshots</c>; <c>restore</c> creates the store of a fresh data dir from a file.
/// </summary>
internal sealed class SnapshotCommand(CliContext context)
    : CommandGroup("snapshot", "Save, list, delete, prune and restore snapshots of the store",
        new SaveCommand(context), new ListCommand(context), new DeleteCommand(context), new PruneCommand(context), new RestoreCommand(context))
{
    /// <summary>FILE; a word starting with '-' is a mistyped flag, not a file name.</summary>
    private static Argument<T> FileArgument<T>(string name, string description, ArgumentArity arity)
    {
        var argument = new Argument<T>(name) { Description = description, Arity = arity };
        argument.Validators.Add(result =>
        {
            if (result.Tokens.FirstOrDefault(t => t.Value.StartsWith('-')) is { } flag)
            {
                result.AddError($"unknown flag '{flag.Value}'");
            }
        });
        return argument;
    }

    private static Option<string> NameOption(string defaultValue, string description)
    {
        var option = Flags.Text("--name", defaultValue, description);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } name && !SnapshotDirectory.IsValidName(name))
            {
                result.AddError($"--name: \"{name}\" must be lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
            }
        });
        return option;
    }

    private static SnapshotDirectory Snapshots(ParseResult parsed, Option<string> dataDir) =>
        new(SnapshotSocket.DefaultDirectory(parsed.GetRequiredValue(dataDir)));

    /// <summary>A snapshot subcommand: the mode flags, and where it writes.</summary>
    private abstract class SnapshotSubcommand(string name, string description, CliContext context) : ModeCommand(name, description)
    {
        protected CliContext Context { get; } = context;
    }

    private sealed class SaveCommand : SnapshotSubcommand
    {
        private readonly Argument<string?> _file = FileArgument<string?>("FILE", "File to write (default: DATA_DIR/server/snapshots/NAME-NODE-UNIXTIME)", ArgumentArity.ZeroOrOne);
        private readonly Option<string> _name = NameOption(SnapshotDirectory.OnDemandName, "Base name of the snapshot file (k3s: etcd-snapshot save --name)");

        public SaveCommand(CliContext context)
            : base("save", "Take a snapshot of the store at one revision; a running server takes it without stopping", context)
        {
            Add(_file);
            Add(_name);
        }

        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var dataDir = parsed.GetRequiredValue(DataDir);
            var name = parsed.GetRequiredValue(_name);
            var file = parsed.GetValue(_file) is { } given ? Path.GetFullPath(given) : null;
            var saved = await SnapshotSocket.TryRequestAsync(dataDir, name, file, cancellationToken) ?? await SaveStoppedAsync(dataDir, name, file, cancellationToken);
            if (saved is null)
            {
                return 1;
            }
            await Context.Out.WriteLineAsync(
                $"Saved revision {saved.Revision} ({saved.Keys} keys) to {saved.File} in {saved.Milliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms");
            return 0;
        }

        /// <summary>No server runs on the data dir: open the embedded store under the data dir's lock and copy it.</summary>
        private async Task<SnapshotSocket.Saved?> SaveStoppedAsync(string dataDir, string name, string? file, CancellationToken cancellationToken)
        {
            await using var held = DataDirectoryLock.Acquire(Path.Combine(dataDir, "server"));
            var storeDir = StoreComponent.StoreDirectory(dataDir);
            if (!Directory.Exists(storeDir))
            {
                await Context.Error.WriteLineAsync($"Error: no store in {storeDir}");
                return null;
            }
            await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = storeDir }, NullLogger.Instance, cancellationToken);
            if (file is null)
            {
                var snapshots = new SnapshotDirectory(SnapshotSocket.DefaultDirectory(dataDir));
                snapshots.Create();
                file = snapshots.NewFile(name, Dns.GetHostName().ToLowerInvariant(), DateTimeOffset.UtcNow);
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await store.SaveSnapshotAsync(file, cancellationToken);
            return new SnapshotSocket.Saved(file, result.Revision, result.Keys, clock.Elapsed.TotalMilliseconds);
        }
    }

    private sealed class ListCommand : SnapshotSubcommand
    {

        public ListCommand(CliContext context)
            : base("ls", "List the snapshots in DATA_DIR/server/snapshots, newest first", context)
        {
            Aliases.Add("list");
            Aliases.Add("l");
        }

        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            await Context.Out.WriteAsync(Table(Snapshots(parsed, DataDir).List()));
            return 0;
        }

        /// <summary>k3s' columns (Name, Location, Size, Created) plus the revision the snapshot holds.</summary>
        internal static string Table(IReadOnlyList<SnapshotFile> snapshots)
        {
            string[][] rows =
            [
                ["Name", "Location", "Size", "Created", "Revision"],
                .. snapshots.Select(s => new[]
                {
                    s.Name,
                    "file://" + s.Path,
                    s.Size.ToString(CultureInfo.InvariantCulture),
                    s.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    EmbeddedStore.SnapshotRevision(s.Path)?.ToString(CultureInfo.InvariantCulture) ?? "-",
                }),
            ];
            var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length) + 1).ToArray();
            return string.Concat(rows.Select(r => string.Concat(r.Take(4).Select((cell, c) => cell.PadRight(widths[c]))) + r[4] + "\n"));
        }
    }

    private sealed class DeleteCommand : SnapshotSubcommand
    {
        private readonly Argument<string[]> _names = FileArgument<string[]>("NAME", "Snapshots to delete, as mkube snapshot ls names them", ArgumentArity.OneOrMore);

        public DeleteCommand(CliContext context)
            : base("delete", "Delete the named snapshots from DATA_DIR/server/snapshots", context)
        {
            Add(_names);
        }

        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var snapshots = Snapshots(parsed, DataDir);
            var missing = 0;
            foreach (var name in parsed.GetRequiredValue(_names))
            {
                if (snapshots.Delete(name))
                {
                    await Context.Out.WriteLineAsync($"Removed {name}");
                }
                else
                {
                    await Context.Error.WriteLineAsync($"Error: no snapshot {name} in {snapshots.Path}");
                    missing++;
                }
            }
            return missing == 0 ? 0 : 1;
        }
    }

    private sealed class PruneCommand : SnapshotSubcommand
    {
        private readonly Option<string> _name = NameOption(SnapshotDirectory.OnDemandName, $"Base name of the snapshots to prune (scheduled ones: {SnapshotDirectory.ScheduledName})");
        private readonly Option<int> _retention = Flags.WithAlias(Flags.Number("--snapshot-retention", Defaults.SnapshotRetention, 1, 10000,
            "How many of the newest snapshots of that name to keep"), "--etcd-snapshot-retention");

        public PruneCommand(CliContext context)
            : base("prune", "Delete all but the newest --snapshot-retention snapshots of a name", context)
        {
            Add(_name);
            Add(_retention);
        }

        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            foreach (var pruned in Snapshots(parsed, DataDir).Prune(parsed.GetRequiredValue(_name), parsed.GetValue(_retention)))
            {
                await Context.Out.WriteLineAsync($"Removed {pruned.Name}");
            }
            return 0;
        }
    }

    private sealed class RestoreCommand : SnapshotSubcommand
    {
        private readonly Argument<string> _file = FileArgument<string>("FILE", "Snapshot file to read", ArgumentArity.ExactlyOne);

        public RestoreCommand(CliContext context)
            : base("restore", "Create the store of --data-dir from FILE (the data dir must have no store yet; the server stopped)", context)
        {
            Add(_file);
        }

        protected override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var dataDir = parsed.GetRequiredValue(DataDir);
            await using var held = DataDirectoryLock.Acquire(Path.Combine(dataDir, "server"));
            var (revision, keys) = EmbeddedStore.RestoreSnapshot(parsed.GetRequiredValue(_file), StoreComponent.StoreDirectory(dataDir));
            await Context.Out.WriteLineAsync($"Restored {keys} keys at revision {revision} into {dataDir}");
            return 0;
        }
    }
}
