using System.Net;
using k8s.Models;
using MiniKube.Addons.Dns;
using static MiniKube.Addons.Tests.Dns.DnsObjects;

namespace MiniKube.Addons.Tests.Dns;

public sealed class ClusterDnsResolverTests
{
    private static readonly V1Service Web = ClusterIpService("default", "web", "10.43.0.20", Port("http", 80));

    private static readonly V1Service Db = HeadlessService("default", "db", Port("pg", 5432));

    private static readonly V1EndpointSlice DbSlice = Slice("default", "db", [new Discoveryv1EndpointPort { Name = "pg", Port = 5433, Protocol = "TCP" }],
        Endpoint("10.42.0.7", hostname: "db-0"),
        Endpoint("10.42.0.8", hostname: "db-1"),
        Endpoint("10.42.0.9", ready: false, hostname: "db-2"),
        Endpoint("10.42.0.10", ready: null));

    private static readonly V1Service Alias = ExternalNameService("default", "alias", "example.com.");

    private static ClusterDnsResolver Resolver(params V1Service[] extra) =>
        new(new FixedServiceDirectory([Web, Db, Alias, .. extra], [DbSlice]), new ClusterDnsOptions(), TimeProvider.System);

    private static DnsMessage Query(string name, DnsType type) => new() { Id = 99, RecursionDesired = true, Questions = [new DnsQuestion(name, type)] };

    private static DnsMessage Answer(string name, DnsType type, ClusterDnsResolver? resolver = null) =>
        (resolver ?? Resolver()).TryAnswer(Query(name, type)) ?? throw new AssertionException($"{name} was not answered");

    [Test]
    public void TryAnswer_ServiceWithClusterIp_AnswersItsAddressAuthoritatively()
    {
        var reply = Answer("web.default.svc.cluster.local", DnsType.A);

        Assert.Multiple(() =>
        {
            Assert.That(reply.Id, Is.EqualTo(99));
            Assert.That(reply.IsResponse && reply.Authoritative && reply.RecursionDesired, Is.True);
            Assert.That(reply.ResponseCode, Is.EqualTo(DnsResponseCode.NoError));
            Assert.That(reply.Answers, Is.EqualTo(new[] { new DnsRecord("web.default.svc.cluster.local", DnsType.A, 1, 5, new DnsAddressData(IPAddress.Parse("10.43.0.20"))) }));
        });
    }

    [Test]
    public void TryAnswer_MixedCaseWithTrailingDot_MatchesAndEchoesTheName()
    {
        var reply = Answer("WEB.Default.svc.Cluster.Local.", DnsType.A);

        Assert.That(reply.Answers.Select(a => a.Name), Is.EqualTo(new[] { "WEB.Default.svc.Cluster.Local" }));
    }

    [Test]
    public void TryAnswer_AaaaForIpv4Service_NoDataWithSoa()
    {
        var reply = Answer("web.default.svc.cluster.local", DnsType.AAAA);

        Assert.Multiple(() =>
        {
            Assert.That(reply.ResponseCode, Is.EqualTo(DnsResponseCode.NoError));
            Assert.That(reply.Answers, Is.Empty);
            Assert.That(reply.Authority.Single().Data, Is.TypeOf<DnsSoaData>());
        });
    }

    [Test]
    public void TryAnswer_HeadlessService_AnswersReadyEndpointAddresses()
    {
        var reply = Answer("db.default.svc.cluster.local", DnsType.A);

        // Ready unset counts as ready; the not-ready db-2 is left out.
        Assert.That(reply.Answers.Select(a => ((DnsAddressData)a.Data).Address.ToString()), Is.EquivalentTo(new[] { "10.42.0.7", "10.42.0.8", "10.42.0.10" }));
    }

    [Test]
    public void TryAnswer_HeadlessPublishingNotReady_IncludesNotReadyEndpoints()
    {
        var db = HeadlessService("default", "db", Port("pg", 5432));
        db.Spec.PublishNotReadyAddresses = true;
        var resolver = new ClusterDnsResolver(new FixedServiceDirectory([db], [DbSlice]), new ClusterDnsOptions(), TimeProvider.System);

        var reply = Answer("db.default.svc.cluster.local", DnsType.A, resolver);

        Assert.That(reply.Answers, Has.Count.EqualTo(4));
    }

    [Test]
    public void TryAnswer_EndpointHostname_AnswersThatPod()
    {
        var reply = Answer("db-1.db.default.svc.cluster.local", DnsType.A);

        Assert.That(reply.Answers.Select(a => ((DnsAddressData)a.Data).Address.ToString()), Is.EqualTo(new[] { "10.42.0.8" }));
    }

    [Test]
    public void TryAnswer_EndpointWithoutHostname_AnswersByDashedAddress()
    {
        var reply = Answer("10-42-0-10.db.default.svc.cluster.local", DnsType.A);

        Assert.That(reply.Answers.Select(a => ((DnsAddressData)a.Data).Address.ToString()), Is.EqualTo(new[] { "10.42.0.10" }));
    }

    [Test]
    public void TryAnswer_UnknownHostnameOfHeadlessService_NxDomain() =>
        Assert.That(Answer("db-7.db.default.svc.cluster.local", DnsType.A).ResponseCode, Is.EqualTo(DnsResponseCode.NameError));

    [Test]
    public void TryAnswer_SrvOfClusterIpService_PointsAtTheServiceName()
    {
        var reply = Answer("_http._tcp.web.default.svc.cluster.local", DnsType.SRV);

        Assert.That(reply.Answers.Select(a => a.Data), Is.EqualTo(new[] { new DnsSrvData(0, 100, 80, "web.default.svc.cluster.local") }));
    }

    [Test]
    public void TryAnswer_SrvOfHeadlessService_PointsAtEachReadyEndpointWithItsPort()
    {
        var reply = Answer("_pg._tcp.db.default.svc.cluster.local", DnsType.SRV);

        Assert.That(reply.Answers.Select(a => (DnsSrvData)a.Data).Select(s => $"{s.Target}:{s.Port}"), Is.EquivalentTo(new[]
        {
            "db-0.db.default.svc.cluster.local:5433",
            "db-1.db.default.svc.cluster.local:5433",
            "10-42-0-10.db.default.svc.cluster.local:5433",
        }));
    }

    [Test]
    public void TryAnswer_SrvOfUnknownPortOrProtocol_NxDomain() =>
        Assert.Multiple(() =>
        {
            Assert.That(Answer("_https._tcp.web.default.svc.cluster.local", DnsType.SRV).ResponseCode, Is.EqualTo(DnsResponseCode.NameError));
            Assert.That(Answer("_http._udp.web.default.svc.cluster.local", DnsType.SRV).ResponseCode, Is.EqualTo(DnsResponseCode.NameError));
        });

    [Test]
    public void TryAnswer_PtrOfClusterIp_NamesTheService()
    {
        var reply = Answer("20.0.43.10.in-addr.arpa", DnsType.PTR);

        Assert.That(reply.Answers.Select(a => a.Data), Is.EqualTo(new[] { new DnsNameData("web.default.svc.cluster.local") }));
    }

    [Test]
    public void TryAnswer_PtrOfHeadlessEndpointWithHostname_NamesThePod()
    {
        var reply = Answer("7.0.42.10.in-addr.arpa", DnsType.PTR);

        Assert.That(reply.Answers.Select(a => a.Data), Is.EqualTo(new[] { new DnsNameData("db-0.db.default.svc.cluster.local") }));
    }

    [Test]
    public void TryAnswer_PtrOfUnknownAddress_IsNotOurs() =>
        Assert.That(Resolver().TryAnswer(Query("8.8.8.8.in-addr.arpa", DnsType.PTR)), Is.Null);

    [Test]
    public void TryAnswer_NameOutsideTheDomain_IsNotOurs() =>
        Assert.Multiple(() =>
        {
            Assert.That(Resolver().TryAnswer(Query("example.com", DnsType.A)), Is.Null);
            Assert.That(Resolver().TryAnswer(Query("notcluster.local", DnsType.A)), Is.Null);
        });

    [TestCase("missing.default.svc.cluster.local")]
    [TestCase("web.other.svc.cluster.local")]
    [TestCase("other.svc.cluster.local")]
    [TestCase("what.cluster.local")]
    [TestCase("a.b.c.d.e.f.cluster.local")]
    public void TryAnswer_UnknownNameInTheDomain_NxDomainWithSoa(string name)
    {
        var reply = Answer(name, DnsType.A);

        Assert.Multiple(() =>
        {
            Assert.That(reply.ResponseCode, Is.EqualTo(DnsResponseCode.NameError));
            Assert.That(reply.Authoritative, Is.True);
            Assert.That(reply.Answers, Is.Empty);
            var soa = reply.Authority.Single();
            Assert.That(soa.Name, Is.EqualTo("cluster.local"));
            Assert.That(soa.Ttl, Is.EqualTo(5));
            Assert.That(((DnsSoaData)soa.Data).PrimaryServer, Is.EqualTo("ns.dns.cluster.local"));
        });
    }

    [TestCase("default.svc.cluster.local")]
    [TestCase("svc.cluster.local")]
    [TestCase("cluster.local")]
    public void TryAnswer_NameThatExistsWithoutAddresses_NoData(string name)
    {
        var reply = Answer(name, DnsType.A);

        Assert.Multiple(() =>
        {
            Assert.That(reply.ResponseCode, Is.EqualTo(DnsResponseCode.NoError));
            Assert.That(reply.Answers, Is.Empty);
            Assert.That(reply.Authority, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void TryAnswer_SoaOfTheZone_AnswersIt() =>
        Assert.That(Answer("cluster.local", DnsType.SOA).Answers.Single().Data, Is.TypeOf<DnsSoaData>());

    [Test]
    public void TryAnswer_ExternalNameService_AnswersCname()
    {
        var reply = Answer("alias.default.svc.cluster.local", DnsType.A);

        Assert.That(reply.Answers, Is.EqualTo(new[] { new DnsRecord("alias.default.svc.cluster.local", DnsType.CNAME, 1, 5, new DnsNameData("example.com")) }));
    }

    [Test]
    public void TryAnswer_PodName_AnswersTheAddressInIt() =>
        Assert.That(Answer("10-42-0-5.default.pod.cluster.local", DnsType.A).Answers.Single().Data, Is.EqualTo(new DnsAddressData(IPAddress.Parse("10.42.0.5"))));

    [Test]
    public void TryAnswer_SchemaVersion_AnswersTxt() =>
        Assert.That(Answer("dns-version.cluster.local", DnsType.TXT).Answers.Single().Data, Is.EqualTo(new DnsTextData("1.1.0")));

    [Test]
    public void TryAnswer_OtherDomain_UsesIt()
    {
        var resolver = new ClusterDnsResolver(new FixedServiceDirectory([Web], []), new ClusterDnsOptions { Domain = "k8s.example" }, TimeProvider.System);

        Assert.Multiple(() =>
        {
            Assert.That(resolver.TryAnswer(Query("web.default.svc.k8s.example", DnsType.A))?.Answers, Has.Count.EqualTo(1));
            Assert.That(resolver.TryAnswer(Query("web.default.svc.cluster.local", DnsType.A)), Is.Null);
        });
    }
}
