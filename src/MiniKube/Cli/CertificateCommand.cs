using System.CommandLine;
using System.Globalization;
using MiniKube.ApiServer.Pki;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube certificate check|rotate</c>: the certificates of the data dir, as k3s' <c>certificate</c>
/// commands (pkg/cli/cert). <c>check</c> lists each certificate file with its expiry and status
/// (OK, WARNING within 120 days, EXPIRED, NOT YET VALID); <c>rotate</c> renews the leaf
/// certificates now, backing up the old files, and never touches a CA. Both work on the files
/// only, so they run with the server up or down; a running server or agent uses renewed
/// certificates once restarted.
/// </summary>
internal sealed class CertificateCommand(CliContext context)
    : CommandGroup("certificate", "Check or rotate mkube's certificates in the data dir", new CheckCommand(context), new RotateCommand(context))
{
    /// <summary>A certificate subcommand: <c>--service</c> and the data dir's certificate files.</summary>
    private abstract class CertificateSubcommand : ModeCommand
    {
        private readonly Option<string> _service;

        protected CertificateSubcommand(string name, string description, CliContext context, IReadOnlyList<string> services)
            : base(name, description)
        {
            Context = context;
            _service = new Option<string>("--service")
            {
                Description = $"Comma-separated services to {name} the certificates of: {string.Join(", ", services)} (default: all)",
            };
            _service.Aliases.Add("-s");
            _service.Validators.Add(result =>
            {
                foreach (var service in Services(result.GetValueOrDefault<string>()) ?? [])
                {
                    if (!services.Contains(service))
                    {
                        result.AddError($"--service: service {service} is not recognized (one of {string.Join(", ", services)})");
                        return;
                    }
                }
            });
            Add(_service);
        }

        protected CliContext Context { get; }

        protected sealed override Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var dataDir = parsed.GetRequiredValue(DataDir);
            var services = Services(parsed.GetValue(_service));
            return RunAsync(parsed, dataDir, CertificateInventory.Files(dataDir, services, includeAuthorities: true));
        }

        protected abstract Task<int> RunAsync(ParseResult parsed, string dataDir, IReadOnlyList<CertificateFile> files);

        /// <summary>"Error: no certificates in …": nothing was ever issued in this data dir.</summary>
        protected async Task<int> NoCertificatesAsync(string dataDir)
        {
            await Context.Error.WriteLineAsync($"Error: no certificates in {CertificateInventory.ServerDirectory(dataDir)} or {CertificateInventory.AgentDirectory(dataDir)}: has mkube run with --data-dir {dataDir}?");
            return 1;
        }

        private static string[]? Services(string? value) =>
            value is null ? null : value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    private sealed class CheckCommand : CertificateSubcommand
    {
        private readonly Option<string> _output;

        public CheckCommand(CliContext context)
            : base("check", "List the certificate files of the data dir with their expiry and status", context, [.. CertificateInventory.LeafServices, CertificateInventory.AuthorityService])
        {
            _output = Flags.Choice("--output", "text", "Output format: text or table", "text", "table");
            _output.Aliases.Add("-o");
            Add(_output);
        }

        protected override async Task<int> RunAsync(ParseResult parsed, string dataDir, IReadOnlyList<CertificateFile> files)
        {
            var now = DateTimeOffset.UtcNow;
            var reports = CertificateInventory.Check(files, now);
            if (reports.Count == 0)
            {
                return await NoCertificatesAsync(dataDir);
            }
            var text = parsed.GetRequiredValue(_output) == "table" ? CertificateTable.Table(reports, now) : CertificateTable.Text(reports);
            await Context.Out.WriteAsync(text);
            return 0;
        }
    }

    private sealed class RotateCommand(CliContext context)
        : CertificateSubcommand("rotate", "Renew the leaf certificates of the data dir now (the CAs are kept); restart mkube to use them", context, CertificateInventory.LeafServices)
    {
        protected override async Task<int> RunAsync(ParseResult parsed, string dataDir, IReadOnlyList<CertificateFile> files)
        {
            var now = DateTimeOffset.UtcNow;
            var leaves = files.Where(f => !f.IsAuthority && File.Exists(f.Path)).ToList();
            if (leaves.Count == 0)
            {
                return await NoCertificatesAsync(dataDir);
            }
            // As k3s: the backup goes beside the server's tls directory, or the agent's on an agent.
            var home = Directory.Exists(CertificateInventory.ServerDirectory(dataDir)) ? Path.Combine(dataDir, "server") : CertificateInventory.AgentDirectory(dataDir);
            var backup = Path.Combine(home, "tls-" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            foreach (var renewed in CertificateInventory.Rotate(leaves, backup, now))
            {
                await Context.Out.WriteLineAsync($"Rotated {renewed.File.Service}/{renewed.File.FileName}: certificate {renewed.Subject}, expires at {CertificateRenewal.Rfc3339(renewed.NotAfter)}");
            }
            await Context.Out.WriteLineAsync($"Backed up the previous certificates to {backup}; restart mkube (server or agent) to use the new ones");
            return 0;
        }
    }
}
