using MiniKube.Addons.Manifests;

namespace MiniKube.Addons.Tests.Manifests;

public sealed class ManifestFilesTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("manifests-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Scan_MixedFiles_CountsYamlYmlJsonInSubfoldersSortedByPath()
    {
        Write("web.yaml", "b.YML", "c.json", "notes.txt", "apps/api.yaml", "README");

        var files = ManifestFiles.Scan(_dir);

        Assert.That(files.Select(f => f.RelativePath), Is.EqualTo(new[] { "apps/api.yaml", "b.YML", "c.json", "web.yaml" }));
        Assert.That(files[0].FullPath, Is.EqualTo(Path.Combine(_dir, "apps", "api.yaml")));
    }

    [Test]
    public void Scan_HiddenFilesAndFolders_AreLeftOut()
    {
        Write(".web.yaml.swp", ".pending.yaml", ".git/config.yaml", "web.yaml");

        Assert.That(ManifestFiles.Scan(_dir).Select(f => f.RelativePath), Is.EqualTo(new[] { "web.yaml" }));
    }

    [Test]
    public void Scan_SkipFileBesideManifest_SuppressesOnlyThatManifest()
    {
        Write("web.yaml", "web.yaml.skip", "db.yaml", "apps/db.yaml.skip", "apps/web.yaml");

        Assert.That(ManifestFiles.Scan(_dir).Select(f => f.RelativePath), Is.EqualTo(new[] { "apps/web.yaml", "db.yaml" }));
    }

    [Test]
    public void Scan_NoDirectory_IsEmpty()
    {
        Assert.That(ManifestFiles.Scan(Path.Combine(_dir, "absent")), Is.Empty);
    }

    private void Write(params string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }
    }
}
