using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Conformance;

[TestFixture]
public sealed class EmbeddedStoreConformanceTests : StoreConformanceTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mkube-store-").FullName;

    protected override async Task<IStore> OpenStoreAsync() =>
        await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(_dir, "db") }, NullLogger.Instance, default);

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}
