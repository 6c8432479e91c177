namespace MiniKube.Controllers;

/// <summary>Every controller the manager can run, by name, in the order they start.</summary>
public static class ControllerCatalog
{
    public static IReadOnlyList<(string Name, Func<ControllerContext, IController> Create)> All { get; } =
    [
        ("persistentvolume-binder", c => new PersistentVolume.PersistentVolumeBinder(c)),
    ];
}
