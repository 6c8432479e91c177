using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using MiniKube.Hosting;

namespace MiniKube.Cli;

/// <summary>
/// <c>mkube secrets-encrypt status|rotate-keys|reencrypt</c>: Secrets encryption of a running
/// server, as k3s' secrets-encrypt (pkg/cli/secretsencrypt): each calls the server's
/// <c>/v1-mkube/encrypt/…</c> endpoint with the admin identity found in the data dir.
/// </summary>
internal sealed class SecretsEncryptCommand : Command
{
    public SecretsEncryptCommand(CliContext context)
        : base("secrets-encrypt", "Show and rotate the keys that encrypt Secrets at rest, on a running server")
    {
        foreach (var operation in (EndpointCommand[])[new StatusCommand(context), new RotateKeysCommand(context), new ReencryptCommand(context)])
        {
            Add(operation);
        }
    }

    /// <summary>The subcommands, for config layering of their flags.</summary>
    public IEnumerable<ModeCommand> Modes => Subcommands.OfType<ModeCommand>();

    /// <summary>A secrets-encrypt subcommand: where the server is and how to reach it.</summary>
    private abstract class EndpointCommand : ModeCommand
    {
        protected EndpointCommand(string name, string description, CliContext context)
            : base(name, description)
        {
            Context = context;
            Add(Server);
            Add(Token);
        }

        public Option<string> Server { get; } = Flags.Urls("--server", $"The server's API address (default {Defaults.LocalServer})", httpsOnly: true);

        public Option<string> Token { get; } = Flags.Text("--token", null, "The server's token, used when the data dir holds no admin certificate");

        protected CliContext Context { get; }

        /// <summary>Reencrypting many Secrets takes a while; the other calls answer at once.</summary>
        protected virtual TimeSpan Timeout => TimeSpan.FromSeconds(70);

        protected sealed override async Task<int> RunAsync(ParseResult parsed, CancellationToken cancellationToken)
        {
            var server = new Uri(parsed.GetValue(Server) ?? Defaults.LocalServer);
            try
            {
                using var client = new ServerEndpointClient(parsed.GetRequiredValue(DataDir), server, parsed.GetValue(Token), Timeout);
                await Context.Out.WriteAsync(await CallAsync(client, parsed, cancellationToken));
                return 0;
            }
            catch (ServerEndpointException e)
            {
                await Context.Error.WriteLineAsync($"Error: {e.Message}");
                return 1;
            }
        }

        /// <summary>What to print on success.</summary>
        protected abstract Task<string> CallAsync(ServerEndpointClient client, ParseResult parsed, CancellationToken cancellationToken);
    }

    private sealed class StatusCommand : EndpointCommand
    {
        public StatusCommand(CliContext context)
            : base("status", "Print whether Secrets are encrypted, the rotation stage and the keys", context)
        {
            Add(Output);
        }

        public Option<string> Output { get; } = WithShortName(Flags.Choice("--output", "text", "Output format: text or json", "text", "json"), "-o");

        private static Option<string> WithShortName(Option<string> option, string alias)
        {
            option.Aliases.Add(alias);
            return option;
        }

        protected override async Task<string> CallAsync(ServerEndpointClient client, ParseResult parsed, CancellationToken cancellationToken)
        {
            var status = await client.GetAsync("/v1-mkube/encrypt/status", cancellationToken);
            return parsed.GetValue(Output) == "json" ? status.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n" : Format(status);
        }

        /// <summary>k3s' text: the status lines, then a table of the keys with the active one starred.</summary>
        internal static string Format(JsonObject status)
        {
            if (status["enable"] is null)
            {
                return "Encryption Status: Disabled, no configuration file found\n";
            }
            var text = new StringBuilder();
            text.Append("Encryption Status: ").Append((bool?)status["enable"] == true ? "Enabled" : "Disabled").Append('\n');
            text.Append("Current Rotation Stage: ").Append((string?)status["stage"]).Append('\n');
            text.Append("Server Encryption Hashes: ").Append((bool?)status["hashmatch"] == true ? "All hashes match" : (string?)status["hasherror"]).Append('\n');
            List<string[]> rows = [["Active", "Key Type", "Name"], ["------", "--------", "----"]];
            foreach (var key in (status["keys"] as JsonArray ?? []).OfType<JsonObject>())
            {
                rows.Add([(bool?)key["active"] == true ? " *" : "", (string?)key["type"] ?? "", (string?)key["name"] ?? ""]);
            }
            var widths = Enumerable.Range(0, 2).Select(c => rows.Max(r => r[c].Length) + 2).ToArray();
            text.Append('\n');
            foreach (var row in rows)
            {
                text.Append(row[0].PadRight(widths[0])).Append(row[1].PadRight(widths[1])).Append(row[2]).Append('\n');
            }
            return text.ToString();
        }
    }

    private sealed class RotateKeysCommand(CliContext context)
        : EndpointCommand("rotate-keys", "Add a new key and make it the one new writes use; older keys still read", context)
    {
        protected override async Task<string> CallAsync(ServerEndpointClient client, ParseResult parsed, CancellationToken cancellationToken)
        {
            var answer = await client.PutAsync("/v1-mkube/encrypt/config", new JsonObject { ["stage"] = "rotate_keys" }, cancellationToken);
            return $"keys rotated: {(string?)answer["activekey"]} is active; run 'mkube secrets-encrypt reencrypt' to rewrite the Secrets with it\n";
        }
    }

    private sealed class ReencryptCommand(CliContext context)
        : EndpointCommand("reencrypt", "Rewrite every Secret with the active key, then drop the keys no longer used", context)
    {
        protected override TimeSpan Timeout => TimeSpan.FromMinutes(10);

        protected override async Task<string> CallAsync(ServerEndpointClient client, ParseResult parsed, CancellationToken cancellationToken)
        {
            var answer = await client.PutAsync("/v1-mkube/encrypt/config", new JsonObject { ["stage"] = "reencrypt_active" }, cancellationToken);
            return $"reencryption finished: {(int?)answer["reencrypted"] ?? 0} Secrets rewritten with the active key, older keys dropped\n";
        }
    }
}
