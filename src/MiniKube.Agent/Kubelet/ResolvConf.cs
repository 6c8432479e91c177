namespace MiniKube.Agent.Kubelet;

/// <summary>
/// The parts of a resolv.conf the kubelet and the cluster DNS use, read as upstream's kubelet
/// reads the host's (pkg/kubelet/network/dns/dns.go parseResolvConf): <c>nameserver</c> lines
/// accumulate; the last <c>search</c> line wins (trailing dots dropped, a lone "." ignored); the
/// last <c>options</c> line wins. Comments start with # or ;.
/// </summary>
public sealed record ResolvConf(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public const string HostPath = "/etc/resolv.conf";

    public static ResolvConf Empty { get; } = new([], [], []);

    public static ResolvConf Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nameservers = new List<string>();
        IReadOnlyList<string> searches = [];
        IReadOnlyList<string> options = [];
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith('#') || fields[0].StartsWith(';'))
            {
                continue;
            }
            switch (fields[0])
            {
                case "nameserver" when fields.Length >= 2:
                    nameservers.Add(fields[1]);
                    break;
                case "search":
                    searches = [.. fields.Skip(1).Where(s => s != ".").Select(s => s.TrimEnd('.'))];
                    break;
                case "options":
                    options = fields[1..];
                    break;
            }
        }
        return new ResolvConf(nameservers, searches, options);
    }

    /// <summary>The file at <paramref name="path"/>, or <see cref="Empty"/> when there is none (a host without DNS).</summary>
    public static ResolvConf Read(string path = HostPath) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty;
}
