using MiniKube.Testing;
using MiniKube.Storage.Etcd;

namespace MiniKube.Storage.Tests.Etcd;

internal static class EtcdServerOptions
{
    public static EtcdStoreOptions Options(this EtcdServer etcd, TimeSpan? unavailableAfter = null) =>
        new() { Endpoints = [etcd.Endpoint], UnavailableAfter = unavailableAfter ?? TimeSpan.FromSeconds(15) };
}
