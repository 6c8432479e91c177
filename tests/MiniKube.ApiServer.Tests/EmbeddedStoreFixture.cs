using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.ApiServer.Tests;

/// <summary>
/// A fresh embedded store in a temp dir for each test, closed and removed after it. A derived
/// fixture's own [SetUp] runs after the store is open and its [TearDown] before it is closed.
/// </summary>
public abstract class EmbeddedStoreFixture
{
    private string _directory = null!;

    protected EmbeddedStore Store { get; private set; } = null!;

    [SetUp]
    public async Task OpenStore()
    {
        _directory = Directory.CreateTempSubdirectory("mkube-store-").FullName;
        Store = await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = _directory }, NullLogger.Instance, CancellationToken.None);
    }

    [TearDown]
    public async Task CloseStore()
    {
        await Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
