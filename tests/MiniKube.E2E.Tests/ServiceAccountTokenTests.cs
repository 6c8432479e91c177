using System.Text.RegularExpressions;

namespace MiniKube.E2E.Tests;

/// <summary>
/// <c>kubectl create token</c> with the real kubectl (1.32+ sends the TokenRequest as protobuf):
/// it prints a JWT, and kubectl holding only that token is the service account, which nothing
/// grants anything yet, so the 403 names it. No pods.
/// </summary>
[TestFixture]
[Category("E2E")]
public sealed partial class ServiceAccountTokenTests : ApiServerAloneFixture
{
    [Test]
    public async Task CreateToken_PrintsAJwt_KubectlWithItIsTheServiceAccount()
    {
        await Kubectl.OkAsync("create", "namespace", "tokens");
        await Kubectl.OkAsync("create", "serviceaccount", "default", "-n", "tokens");

        var token = (await Kubectl.OkAsync("create", "token", "default", "-n", "tokens", "--duration=1h")).Trim();
        var tooShort = await Kubectl.RunAsync("create", "token", "default", "-n", "tokens", "--duration=1m");
        // --raw: until RBAC grants system:discovery, kubectl's discovery is refused too, and it prints such 403s as "unknown".
        var asAccount = await TokenOnlyKubectl(token).RunAsync("get", "--raw", "/api/v1/namespaces/tokens/pods");

        Assert.That(token.Split('.'), Has.Length.EqualTo(3), token);
        Assert.That(tooShort.Error, Does.Contain("may not specify a duration less than 10 minutes"), tooShort.ToString());
        Assert.That(asAccount.ExitCode, Is.Not.Zero);
        Assert.That(asAccount.Error, Does.Contain("User \"system:serviceaccount:tokens:default\" cannot list resource \"pods\""), asAccount.ToString());
    }

    // A kubeconfig with the server and its CA from the admin's, and the token as the only credential.
    private Kubectl TokenOnlyKubectl(string token)
    {
        var admin = File.ReadAllText(KubeconfigPath);
        var server = ServerLine().Match(admin).Groups[1].Value;
        var ca = CaLine().Match(admin).Groups[1].Value;
        var path = Path.Combine(DataDir, "token-kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {server}
                certificate-authority-data: {ca}
            users:
            - name: sa
              user:
                token: {token}
            contexts:
            - name: c
              context:
                cluster: c
                user: sa
            current-context: c
            """);
        return new Kubectl(path, Path.Combine(DataDir, "token-kube-cache"));
    }

    [GeneratedRegex(@"server:\s*(\S+)")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"certificate-authority-data:\s*(\S+)")]
    private static partial Regex CaLine();
}
