using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Hosting;
using MiniKube.Storage.Embedded;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube snapshot save|restore FILE</c>: backups of the embedded store, the role of k3s'
/// <c>etcd-snapshot</c>. Both need the server stopped: they take the data directory's lock.
/// </summary>
internal sealed class SnapshotCommand(CliContext context)
    : CommandGroup("snapshot", "Save or restore a backup of the embedded store (with the server stopped)", new SaveCommand(context), new RestoreCommand(context))
{
    /// <summary>FILE; a word starting with '-' is a mistyped flag, not a file name.</summary>
    private static Argument<string> FileArgument(string description)
    {
        var argument = new Argument<string>("FILE") { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[0].Value.StartsWith('-'))
            {
                result.AddError($"unknown flag '{result.Tokens[0].Value}'");
            }
        });
        return argument;
    }

    /// <summary>A snapshot subcommand: FILE, and the server's data dir locked while it works.</summary>
    private abstract class SnapshotFileCommand : ModeCommand
    {
        private readonly Argument<string> _file;

        protected SnapshotFileCommand(string name, string description, string fileDescription, CliContext context)
            : base(name, description)
        {
            Context = context;
            _file = FileArgument(fileDescription);
            Add(_file);
        }

        protected CliContext Context { get; }

        protected sealed override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var dataDir = parsed.GetRequiredValue(DataDir);
            await using var held = DataDirectoryLock.Acquire(Path.Combine(dataDir, "server"));
            return await RunLockedAsync(dataDir, parsed.GetRequiredValue(_file), cancellationToken);
        }

        protected abstract Task<int> RunLockedAsync(string dataDir, string file, CancellationToken cancellationToken);
    }

    private sealed class SaveCommand(CliContext context)
        : SnapshotFileCommand("save", "Write every key of the store to FILE", "Snapshot file to write", context)
    {
        protected override async Task<int> RunLockedAsync(string dataDir, string file, CancellationToken cancellationToken)
        {
            var storeDir = StoreComponent.StoreDirectory(dataDir);
            if (!Directory.Exists(storeDir))
            {
                await Context.Error.WriteLineAsync($"Error: no store in {storeDir}");
                return 1;
            }
            await using var store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = storeDir }, NullLogger.Instance, cancellationToken);
            var revision = await store.SaveSnapshotAsync(file, cancellationToken);
            await Context.Out.WriteLineAsync($"Saved revision {revision} to {Path.GetFullPath(file)}");
            return 0;
        }
    }

    private sealed class RestoreCommand(CliContext context)
        : SnapshotFileCommand("restore", "Create the store of --data-dir from FILE (the data dir must have no store yet)", "Snapshot file to read", context)
    {
        protected override async Task<int> RunLockedAsync(string dataDir, string file, CancellationToken cancellationToken)
        {
            var (revision, keys) = EmbeddedStore.RestoreSnapshot(file, StoreComponent.StoreDirectory(dataDir));
            await Context.Out.WriteLineAsync($"Restored {keys} keys at revision {revision} into {dataDir}");
            return 0;
        }
    }
}
