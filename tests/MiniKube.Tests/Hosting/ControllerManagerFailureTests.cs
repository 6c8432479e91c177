using Microsoft.Extensions.Logging;
using MiniKube.Api;
using MiniKube.Client.Controllers;
using MiniKube.Controllers;
using MiniKube.Hosting;
using MiniKube.Testing;

namespace MiniKube.Tests.Hosting;

/// <summary>
/// ARCHITECTURE.md §3 rule 7 for controllers: an unexpected exception in any controller's sync
/// (a bug) is logged once and stops <c>mkube server</c> in order with exit code 1, instead of
/// killing one worker silently.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ControllerManagerFailureTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Run_ControllerSyncThrows_LogsItOnceAndExitsOne()
    {
        var dataDir = Directory.CreateTempSubdirectory("mkube-cm-failure-").FullName;
        try
        {
            using var logs = new CollectingLoggerProvider();
            var builder = HostingExtensions.CreateBuilder();
            builder.Logging.ClearProviders().AddProvider(logs);
            builder.Services.AddComponentRunner()
                .AddDataDirectory(dataDir, "server")
                .AddStore(new StoreSettings(dataDir, null, null, null, null))
                .AddApiServer(new ApiServerSettings(dataDir, "127.0.0.1", 0, Path.Combine(dataDir, "kubeconfig"), "0600", Defaults.ClusterDomain, null, null))
                .AddControllerManager(new ControllerManagerOptions { Extra = [new(BuggyController.ControllerName, null, c => new BuggyController(c))] });
            using var host = builder.Build();

            var exitCode = await host.RunToExitCodeAsync().WaitAsync(Patience);

            Assert.That(exitCode, Is.EqualTo(1));
            var mentions = logs.Lines.Where(l => l.Message.Contains(BuggyController.Bug, StringComparison.Ordinal)).ToList();
            Assert.That(mentions, Has.Count.EqualTo(1), string.Join("\n", logs.Lines));
            Assert.That(mentions[0].Level, Is.EqualTo(LogLevel.Error));
            Assert.That(mentions[0].Message, Does.Contain("controller-manager").And.Contain(BuggyController.ControllerName).And.Contain("kube-system"));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>A controller whose sync has a bug: it throws for every namespace.</summary>
    private sealed class BuggyController : Controller<NamespacedName>
    {
        public const string ControllerName = "buggy";

        public const string Bug = "a bug in the buggy sync";

        public BuggyController(ControllerContext context)
            : base(context, ControllerName, workers: 2)
        {
            context.Informers.Namespaces.AddHandler(change => Queue.Add(change.Name));
        }

        public override Task SyncAsync(NamespacedName key, CancellationToken cancellationToken) =>
            key.Name == "kube-system" ? throw new InvalidOperationException(Bug) : Task.CompletedTask;
    }
}
