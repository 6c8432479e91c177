using System.Text;

namespace MiniKube.ApiServer.Pki;

/// <summary>Writes the admin kubeconfig (k3s writes /etc/rancher/k3s/k3s.yaml the same way).</summary>
public static class Kubeconfig
{
    /// <summary>Writes a kubeconfig for <paramref name="server"/> that trusts the cluster CA and authenticates as admin.</summary>
    public static void Write(string path, UnixFileMode mode, Uri server, ClusterPki pki)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(pki);
        static string B64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster:
                server: {server.ToString().TrimEnd('/')}
                certificate-authority-data: {B64(ClusterPki.Pem(pki.Ca))}
            users:
            - name: default
              user:
                client-certificate-data: {B64(ClusterPki.Pem(pki.Admin))}
                client-key-data: {B64(ClusterPki.KeyPem(pki.Admin))}
            contexts:
            - name: default
              context:
                cluster: default
                user: default
            current-context: default

            """;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        // Create with the final mode before the key material goes in, then replace atomically.
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        File.SetUnixFileMode(temp, mode);
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
