using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniKube.Storage.Snapshots;

namespace MiniKube.Hosting;

/// <summary>
/// The local channel between <c>mkube snapshot save</c> and a running server: a Unix socket at
/// <c>DATA_DIR/server/snapshot.sock</c>, mode 0600 in the owner-only server directory, so the
/// file system's permissions are the authentication (the caller can already read the store).
/// One request per connection, each a JSON line: <c>{"name":…,"file":…}</c> in,
/// <c>{"file":…,"revision":…,"keys":…,"milliseconds":…}</c> or <c>{"error":…}</c> out.
/// </summary>
internal static class SnapshotSocket
{
    public const string FileName = "snapshot.sock";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, "server", FileName);

    /// <summary>Where snapshots go unless told otherwise: <c>DATA_DIR/server/snapshots</c>.</summary>
    public static string DefaultDirectory(string dataDir) => Path.Combine(dataDir, "server", "snapshots");

    /// <summary>What a running server answered.</summary>
    public sealed record Saved(string File, long Revision, long Keys, double Milliseconds);

    public sealed record Request(string Name, string? File);

    public static Request ParseRequest(string? line)
    {
        try
        {
            if (line is not null && JsonNode.Parse(line) is JsonObject json && json["name"]?.GetValue<string>() is { } name)
            {
                return new Request(name, json["file"]?.GetValue<string>());
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"bad snapshot request: {e.Message}");
        }
        throw new FormatException("bad snapshot request: expected {\"name\": …}");
    }

    public static JsonObject Answer(string file, SnapshotResult result, TimeSpan took) => new()
    {
        ["file"] = file,
        ["revision"] = result.Revision,
        ["keys"] = result.Keys,
        ["milliseconds"] = Math.Round(took.TotalMilliseconds, 1),
    };

    /// <summary>
    /// Asks the server running on <paramref name="dataDir"/> for a snapshot: null when no server
    /// listens there (no socket, or one a dead process left); throws <see cref="IOException"/>
    /// with the server's reason when it could not take one.
    /// </summary>
    public static async Task<Saved?> TryRequestAsync(string dataDir, string name, string? file, CancellationToken cancellationToken)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path))
        {
            return null;
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            return null;
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream);
        await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
        await writer.WriteLineAsync(new JsonObject { ["name"] = name, ["file"] = file }.ToJsonString());
        var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("the server closed the snapshot request without an answer; see its log");
        var answer = JsonNode.Parse(line) as JsonObject ?? throw new IOException($"the server answered {line}");
        if (answer["error"]?.GetValue<string>() is { } error)
        {
            throw new IOException(error);
        }
        return new Saved(answer["file"]!.GetValue<string>(), answer["revision"]!.GetValue<long>(), answer["keys"]!.GetValue<long>(), answer["milliseconds"]!.GetValue<double>());
    }
}
