using k8s;
using k8s.Models;
using MiniKube.Client.Credentials;
using MiniKube.Testing;

namespace MiniKube.Client.Tests.Credentials;

/// <summary>Per-account clients against the in-process API server: real TokenRequests, real authentication.</summary>
[TestFixture]
[TestOf(typeof(ServiceAccountClients))]
[Category("Integration")]
public sealed class ServiceAccountClientsTests
{
    [Test]
    public async Task For_AccountMadeOnFirstUse_AuthenticatesAsItAndRecoversFromA401AfterTheAccountIsMadeAgain()
    {
        await WithClientsAsync(async (_, admin, clients) =>
        {
            var client = clients.For("tester-controller");

            var first = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
            await admin.CoreV1.DeleteNamespacedServiceAccountAsync("tester-controller", "kube-system");
            var refused = Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview()));
            var again = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());

            Assert.That(first.Status.UserInfo.Username, Is.EqualTo("system:serviceaccount:kube-system:tester-controller"));
            Assert.That(refused!.Response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized), "the token names the deleted account's uid");
            Assert.That(again.Status.UserInfo.Username, Is.EqualTo(first.Status.UserInfo.Username), "a new account, a new token");
            Assert.That(clients.For("tester-controller"), Is.SameAs(client));
        });
    }

    [Test]
    public async Task For_SeveralAccounts_EachRequestCarriesItsOwnIdentityOverOneSharedConnection()
    {
        await WithClientsAsync(async (server, _, clients) =>
        {
            string[] accounts = ["first-controller", "second-controller", "third-controller"];
            // Concurrently, so the accounts' requests are in flight on the shared pool at once.
            var reviews = await Task.WhenAll(accounts.SelectMany(_ => Enumerable.Range(0, 4), (account, _) => account)
                .Select(async account => (account, review: await clients.For(account).AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview()))));

            foreach (var (account, review) in reviews)
            {
                Assert.That(review.Status.UserInfo.Username, Is.EqualTo("system:serviceaccount:kube-system:" + account));
            }
            var port = server.Server.Address.Port;
            var toServer = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections()
                .Count(c => c.RemoteEndPoint.Port == port && c.State == System.Net.NetworkInformation.TcpState.Established);
            Assert.That(toServer, Is.EqualTo(2), "the admin client's connection (it requests the tokens) and the accounts' one");
        });
    }

    // An in-process API server, its admin client (the tokens' requester) and the accounts' clients over it.
    private static async Task WithClientsAsync(Func<TestApiServer, Kubernetes, ServiceAccountClients, Task> body)
    {
        var server = await TestApiServer.StartAsync();
        try
        {
            using var admin = server.Client();
            var skeleton = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath);
            using var clients = new ServiceAccountClients(admin, skeleton, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            await body(server, admin, clients);
        }
        finally
        {
            await server.DisposeAsync();
            server.DeleteDirectory();
        }
    }
}
