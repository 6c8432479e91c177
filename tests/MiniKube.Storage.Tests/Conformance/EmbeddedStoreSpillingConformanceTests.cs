using Microsoft.Extensions.Logging.Abstractions;
using MiniKube.Storage.Embedded;

namespace MiniKube.Storage.Tests.Conformance;

/// <summary>The contract again with a memory budget of one byte: every value is read back from the spill files.</summary>
[TestFixture]
public sealed class EmbeddedStoreSpillingConformanceTests : StoreConformanceTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mkube-store-").FullName;

    protected override async Task<IStore> OpenStoreAsync() =>
        await EmbeddedStore.OpenAsync(new EmbeddedStoreOptions { Directory = Path.Combine(_dir, "db"), MemoryBudget = 1 }, NullLogger.Instance, default);

    protected override void Cleanup() => Directory.Delete(_dir, recursive: true);
}
