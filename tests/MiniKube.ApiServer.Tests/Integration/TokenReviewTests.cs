using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.ApiServer.Auth;
using MiniKube.ApiServer.Pki;
using MiniKube.Storage.Embedded;

namespace MiniKube.ApiServer.Tests.Integration;

/// <summary>
/// TokenReview against a server whose static token table holds the join token's secret, as
/// `mkube server` configures it: the token is recognised for the API server's audience only.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class TokenReviewTests
{
    private string _directory = null!;
    private EmbeddedStore _store = null!;
    private KubeApiServer _server = null!;
    private Kubernetes _client = null!;
    private string _secret = null!;

    [SetUp]
    public async Task StartServer()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-tokenreview-").FullName;
        _store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(_directory, "db") }, NullLogger.Instance, CancellationToken.None);
        var pki = ClusterPki.LoadOrCreate(Path.Combine(_directory, "tls"), ["localhost", "127.0.0.1"], TimeProvider.System);
        _secret = JoinToken.SecretOf(JoinToken.LoadOrCreate(Path.Combine(_directory, "token"), null, pki));
        _server = await KubeApiServer.StartAsync(new ApiServerOptions
        {
            BindAddress = IPAddress.Loopback,
            Port = 0,
            Pki = pki,
            KubernetesVersion = "v1.32.0",
            Tokens = new Dictionary<string, UserInfo> { [_secret] = new("system:node:bootstrap", ["system:nodes", "system:authenticated"]) },
        }, _store, NullLoggerFactory.Instance, CancellationToken.None);
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        Kubeconfig.Write(kubeconfig, UnixFileMode.UserRead | UnixFileMode.UserWrite, _server.Address, pki);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    [TearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task TokenReview_JoinTokenSecret_AuthenticatedForTheApiAudience()
    {
        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = _secret } });

        Assert.That(review.Status.Authenticated, Is.True);
        Assert.That(review.Status.User.Username, Is.EqualTo("system:node:bootstrap"));
        Assert.That(review.Status.User.Groups, Is.EqualTo(new[] { "system:nodes", "system:authenticated" }));
        Assert.That(review.Status.Audiences, Is.EqualTo(Authenticator.DefaultApiAudiences));
        Assert.That(review.Status.Error, Is.Null);
    }

    [Test]
    public async Task TokenReview_JoinTokenSecretForAnotherAudience_NotAuthenticated()
    {
        var review = await _client.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = _secret, Audiences = ["vault"] } });

        Assert.That(review.Status.Authenticated, Is.Null.Or.False);
        Assert.That(review.Status.Error, Is.EqualTo("invalid bearer token"));
    }
}
