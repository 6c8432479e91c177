namespace MiniKube.E2E.Tests;

/// <summary>Each E2E test gets its own data dir, removed afterwards.</summary>
public abstract class DataDirFixture
{
    protected static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    protected string DataDir { get; private set; } = null!;

    [SetUp]
    public void CreateDataDir() => DataDir = Directory.CreateTempSubdirectory("mkube-e2e-").FullName;

    [TearDown]
    public void RemoveDataDir() => Directory.Delete(DataDir, recursive: true);
}
