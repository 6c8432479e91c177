using MiniKube.ApiServer.Resources;
using MiniKube.ApiServer.Tables;
using static MiniKube.ApiServer.Tests.Tables.TableTestSupport;

namespace MiniKube.ApiServer.Tests.Tables;

public class TablePrintersTests
{
    private static string Created(TimeSpan age) => "\"creationTimestamp\":\"" + Ago(age) + "\"";

    [Test]
    public void Deployment_ReadyUpToDateAvailableAndWideColumns()
    {
        var row = Row("apps", "deployments", """
            {"metadata":{"name":"web",CREATED},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"side","image":"busybox"}]}}},
             "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}
            """.Replace("CREATED", Created(TimeSpan.FromDays(2) + TimeSpan.FromHours(3)), StringComparison.Ordinal));

        Assert.That(row.Text("Ready"), Is.EqualTo("2/3"));
        Assert.That(row.Number("Up-to-date"), Is.EqualTo(3));
        Assert.That(row.Number("Available"), Is.EqualTo(2));
        Assert.That(row.Text("Age"), Is.EqualTo("2d3h"));
        Assert.That(row.Text("Containers"), Is.EqualTo("nginx,side"));
        Assert.That(row.Text("Images"), Is.EqualTo("nginx:1.27,busybox"));
        Assert.That(row.Text("Selector"), Is.EqualTo("app=web"));
    }

    [Test]
    public void Deployment_WithoutStatus_ShowsZeroOfDesired()
    {
        var row = Row("apps", "deployments", """{"metadata":{"name":"web"},"spec":{"replicas":2}}""");

        Assert.That(row.Text("Ready"), Is.EqualTo("0/2"));
        Assert.That(row.Number("Available"), Is.Zero);
    }

    [Test]
    public void ReplicaSetStatefulSetDaemonSet_Counts()
    {
        var rs = Row("apps", "replicasets", """{"metadata":{"name":"rs"},"spec":{"replicas":3,"selector":{"matchExpressions":[{"key":"tier","operator":"In","values":["b","a"]}]}},"status":{"replicas":3,"readyReplicas":1}}""");
        Assert.That(new[] { rs.Number("Desired"), rs.Number("Current"), rs.Number("Ready") }, Is.EqualTo(new long[] { 3, 3, 1 }));
        Assert.That(rs.Text("Selector"), Is.EqualTo("tier in (a,b)"));

        var sts = Row("apps", "statefulsets", """{"metadata":{"name":"db"},"spec":{"replicas":2},"status":{"readyReplicas":2}}""");
        Assert.That(sts.Text("Ready"), Is.EqualTo("2/2"));

        var ds = Row("apps", "daemonsets", """
            {"metadata":{"name":"agent"},"spec":{"selector":{},"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[]}}},
             "status":{"desiredNumberScheduled":2,"currentNumberScheduled":2,"numberReady":1,"updatedNumberScheduled":2,"numberAvailable":1}}
            """);
        Assert.That(new[] { ds.Number("Desired"), ds.Number("Current"), ds.Number("Ready"), ds.Number("Up-to-date"), ds.Number("Available") }, Is.EqualTo(new long[] { 2, 2, 1, 2, 1 }));
        Assert.That(ds.Text("Node Selector"), Is.EqualTo("kubernetes.io/os=linux"));
        Assert.That(ds.Text("Selector"), Is.EqualTo("<none>"));
    }

    [Test]
    public void Job_StatusCompletionsAndDuration()
    {
        var done = Row("batch", "jobs", """
            {"metadata":{"name":"pi"},"spec":{"completions":1,"template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}},
             "status":{"succeeded":1,"startTime":"2025-01-01T00:00:00Z","completionTime":"2025-01-01T00:00:45Z",
                       "conditions":[{"type":"Complete","status":"True"}]}}
            """);
        Assert.That(done.Text("Status"), Is.EqualTo("Complete"));
        Assert.That(done.Text("Completions"), Is.EqualTo("1/1"));
        Assert.That(done.Text("Duration"), Is.EqualTo("45s"));

        var running = Row("batch", "jobs", """{"metadata":{"name":"p"},"spec":{"parallelism":3},"status":{"succeeded":1,"startTime":"START"}}""".Replace("START", Ago(TimeSpan.FromMinutes(4)), StringComparison.Ordinal));
        Assert.That(running.Text("Status"), Is.EqualTo("Running"));
        Assert.That(running.Text("Completions"), Is.EqualTo("1/1 of 3"));
        Assert.That(running.Text("Duration"), Is.EqualTo("4m"));

        var pending = Row("batch", "jobs", """{"metadata":{"name":"p"},"spec":{},"status":{"conditions":[{"type":"Failed","status":"True"}]}}""");
        Assert.That(pending.Text("Status"), Is.EqualTo("Failed"));
        Assert.That(pending.Text("Completions"), Is.EqualTo("0/1"));
        Assert.That(pending.Text("Duration"), Is.EqualTo(""));
    }

    [Test]
    public void CronJob_ScheduleSuspendActiveAndLastSchedule()
    {
        var row = Row("batch", "cronjobs", """
            {"metadata":{"name":"tick"},"spec":{"schedule":"*/5 * * * *","suspend":false,"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}},
             "status":{"active":[{"name":"tick-1"}],"lastScheduleTime":"LAST"}}
            """.Replace("LAST", Ago(TimeSpan.FromSeconds(90)), StringComparison.Ordinal));

        Assert.That(row.Text("Schedule"), Is.EqualTo("*/5 * * * *"));
        Assert.That(row.Text("Timezone"), Is.EqualTo("<none>"));
        Assert.That(row.Text("Suspend"), Is.EqualTo("False"));
        Assert.That(row.Number("Active"), Is.EqualTo(1));
        Assert.That(row.Text("Last Schedule"), Is.EqualTo("90s"));
        Assert.That(row.Text("Images"), Is.EqualTo("busybox"));
    }

    [Test]
    public void Node_StatusRolesVersionAndAddresses()
    {
        var row = Row("", "nodes", """
            {"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"","kubernetes.io/role":"edge"}},
             "spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
                       "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.10"}],
                       "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian","kernelVersion":"6.1","containerRuntimeVersion":"docker://27"}}}
            """);

        Assert.That(row.Text("Status"), Is.EqualTo("Ready,SchedulingDisabled"));
        Assert.That(row.Text("Roles"), Is.EqualTo("control-plane,edge,master"));
        Assert.That(row.Text("Version"), Is.EqualTo("v1.32.0"));
        Assert.That(row.Text("Internal-IP"), Is.EqualTo("192.168.1.10"));
        Assert.That(row.Text("External-IP"), Is.EqualTo("<none>"));
        Assert.That(row.Text("Container-Runtime"), Is.EqualTo("docker://27"));
    }

    [Test]
    public void Node_WithoutConditions_IsUnknownAndNotReadyWhenFalse()
    {
        Assert.That(Row("", "nodes", """{"metadata":{"name":"n"}}""").Text("Status"), Is.EqualTo("Unknown"));
        Assert.That(Row("", "nodes", """{"metadata":{"name":"n"}}""").Text("Roles"), Is.EqualTo("<none>"));
        Assert.That(Row("", "nodes", """{"metadata":{"name":"n"}}""").Text("OS-Image"), Is.EqualTo("<unknown>"));
        Assert.That(Row("", "nodes", """{"metadata":{"name":"n"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}}""").Text("Status"), Is.EqualTo("NotReady"));
    }

    [TestCase("""{"type":"ClusterIP","clusterIP":"10.43.0.10","clusterIPs":["10.43.0.10"],"ports":[{"port":53,"protocol":"UDP"},{"port":53,"protocol":"TCP"}],"selector":{"k8s-app":"dns"}}""", "{}",
        "ClusterIP", "10.43.0.10", "<none>", "53/UDP,53/TCP", "k8s-app=dns")]
    [TestCase("""{"type":"NodePort","clusterIPs":["10.43.1.1"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}""", "{}",
        "NodePort", "10.43.1.1", "<none>", "80:30080/TCP", "<none>")]
    [TestCase("""{"type":"LoadBalancer","clusterIPs":["10.43.1.2"],"ports":[{"port":443}]}""", "{}",
        "LoadBalancer", "10.43.1.2", "<pending>", "443/TCP", "<none>")]
    [TestCase("""{"type":"LoadBalancer","clusterIPs":["10.43.1.2"],"externalIPs":["1.2.3.4"],"ports":[{"port":443}]}""", """{"loadBalancer":{"ingress":[{"ip":"172.18.0.3"},{"hostname":"lb.example"}]}}""",
        "LoadBalancer", "10.43.1.2", "172.18.0.3,lb.example,1.2.3.4", "443/TCP", "<none>")]
    [TestCase("""{"type":"ExternalName","externalName":"db.example.com"}""", "{}",
        "ExternalName", "<none>", "db.example.com", "<none>", "<none>")]
    [TestCase("""{"clusterIP":"None","ports":[{"port":80}]}""", "{}",
        "ClusterIP", "None", "<none>", "80/TCP", "<none>")]
    public void Service_TypeAddressesAndPorts(string spec, string status, string type, string clusterIP, string externalIP, string ports, string selector)
    {
        var row = Row("", "services", $$"""{"metadata":{"name":"svc"},"spec":{{spec}},"status":{{status}}}""");

        Assert.That(row.Text("Type"), Is.EqualTo(type));
        Assert.That(row.Text("Cluster-IP"), Is.EqualTo(clusterIP));
        Assert.That(row.Text("External-IP"), Is.EqualTo(externalIP));
        Assert.That(row.Text("Port(s)"), Is.EqualTo(ports));
        Assert.That(row.Text("Selector"), Is.EqualTo(selector));
    }

    [Test]
    public void Endpoints_ListsThreeThenCountsTheRest()
    {
        var row = Row("", "endpoints", """
            {"metadata":{"name":"web"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]}
            """);
        Assert.That(row.Text("Endpoints"), Is.EqualTo("10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more..."));

        Assert.That(Row("", "endpoints", """{"metadata":{"name":"e"}}""").Text("Endpoints"), Is.EqualTo("<none>"));
        Assert.That(Row("", "endpoints", """{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.9"}]}]}""").Text("Endpoints"), Is.EqualTo("10.0.0.9"));
    }

    [Test]
    public void EndpointSlice_AddressTypePortsAndEndpoints()
    {
        var row = Row("discovery.k8s.io", "endpointslices", """
            {"metadata":{"name":"web-abc"},"addressType":"IPv4","ports":[{"name":"http","port":80},{"name":"named"}],
             "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]}
            """);

        Assert.That(row.Text("AddressType"), Is.EqualTo("IPv4"));
        Assert.That(row.Text("Ports"), Is.EqualTo("80,named"));
        Assert.That(row.Text("Endpoints"), Is.EqualTo("10.0.0.1,10.0.0.2"));
        Assert.That(Row("discovery.k8s.io", "endpointslices", """{"metadata":{"name":"e"},"addressType":"IPv4"}""").Text("Endpoints"), Is.EqualTo("<unset>"));
    }

    [Test]
    public void Event_LastSeenObjectSourceAndCount()
    {
        var row = Row("", "events", """
            {"metadata":{"name":"nginx.17a"},"involvedObject":{"kind":"Pod","name":"nginx","fieldPath":"spec.containers{nginx}"},
             "reason":"Pulled","type":"Normal","message":"  Pulled image  \n","count":3,
             "firstTimestamp":"FIRST","lastTimestamp":"LAST","source":{"component":"kubelet","host":"node1"}}
            """.Replace("FIRST", Ago(TimeSpan.FromMinutes(30)), StringComparison.Ordinal).Replace("LAST", Ago(TimeSpan.FromSeconds(20)), StringComparison.Ordinal));

        Assert.That(row.Text("Last Seen"), Is.EqualTo("20s"));
        Assert.That(row.Text("Type"), Is.EqualTo("Normal"));
        Assert.That(row.Text("Reason"), Is.EqualTo("Pulled"));
        Assert.That(row.Text("Object"), Is.EqualTo("pod/nginx"));
        Assert.That(row.Text("Subobject"), Is.EqualTo("spec.containers{nginx}"));
        Assert.That(row.Text("Source"), Is.EqualTo("kubelet, node1"));
        Assert.That(row.Text("Message"), Is.EqualTo("Pulled image"));
        Assert.That(row.Text("First Seen"), Is.EqualTo("30m"));
        Assert.That(row.Number("Count"), Is.EqualTo(3));
        Assert.That(row.Text("Name"), Is.EqualTo("nginx.17a"));
    }

    [Test]
    public void Event_NewApiFields_FallBackToEventTimeAndReportingController()
    {
        var row = Row("", "events", """
            {"metadata":{"name":"e"},"involvedObject":{"kind":"Node"},"eventTime":"WHEN","reportingComponent":"scheduler","reportingInstance":"cp-1"}
            """.Replace("WHEN", Ago(TimeSpan.FromMinutes(7)), StringComparison.Ordinal));

        Assert.That(row.Text("Last Seen"), Is.EqualTo("7m"));
        Assert.That(row.Text("First Seen"), Is.EqualTo("7m"));
        Assert.That(row.Text("Object"), Is.EqualTo("node"));
        Assert.That(row.Text("Source"), Is.EqualTo("scheduler, cp-1"));
        Assert.That(row.Number("Count"), Is.EqualTo(1));
    }

    [Test]
    public void ComponentStatus_HealthyAndUnhealthy()
    {
        var healthy = Row("", "componentstatuses", """{"metadata":{"name":"etcd-0"},"conditions":[{"type":"Healthy","status":"True","message":"ok"}]}""");
        Assert.That(healthy.Text("Status"), Is.EqualTo("Healthy"));
        Assert.That(healthy.Text("Message"), Is.EqualTo("ok"));
        Assert.That(healthy.Text("Error"), Is.EqualTo(""));

        var sick = Row("", "componentstatuses", """{"metadata":{"name":"scheduler"},"conditions":[{"type":"Healthy","status":"False","error":"refused"}]}""");
        Assert.That(sick.Text("Status"), Is.EqualTo("Unhealthy"));
        Assert.That(sick.Text("Error"), Is.EqualTo("refused"));
        Assert.That(Row("", "componentstatuses", """{"metadata":{"name":"x"}}""").Text("Status"), Is.EqualTo("Unknown"));
    }

    [Test]
    public void SmallKinds_CountDataAndShowStatus()
    {
        Assert.That(Row("", "configmaps", """{"metadata":{"name":"c"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}}""").Number("Data"), Is.EqualTo(3));
        var secret = Row("", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}""");
        Assert.That(secret.Text("Type"), Is.EqualTo("kubernetes.io/tls"));
        Assert.That(secret.Number("Data"), Is.EqualTo(2));
        Assert.That(Row("", "serviceaccounts", """{"metadata":{"name":"default"}}""").Number("Secrets"), Is.Zero);
        Assert.That(Row("", "namespaces", """{"metadata":{"name":"default"},"status":{"phase":"Active"}}""").Text("Status"), Is.EqualTo("Active"));
        Assert.That(Row("coordination.k8s.io", "leases", """{"metadata":{"name":"l"},"spec":{"holderIdentity":"node1"}}""").Text("Holder"), Is.EqualTo("node1"));
        var pdb = Row("policy", "poddisruptionbudgets", """{"metadata":{"name":"p"},"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}}""");
        Assert.That(new[] { pdb.Text("Min Available"), pdb.Text("Max Unavailable") }, Is.EqualTo(new[] { "50%", "N/A" }));
        Assert.That(pdb.Number("Allowed Disruptions"), Is.EqualTo(1));
        var rc = Row("", "replicationcontrollers", """{"metadata":{"name":"rc"},"spec":{"replicas":2,"selector":{"app":"x"}},"status":{"replicas":2,"readyReplicas":2}}""");
        Assert.That(rc.Number("Desired"), Is.EqualTo(2));
        Assert.That(rc.Text("Selector"), Is.EqualTo("app=x"));
        var revision = Row("apps", "controllerrevisions", """{"metadata":{"name":"r","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","controller":true}]},"revision":2}""");
        Assert.That(revision.Text("Controller"), Is.EqualTo("statefulset.apps/db"));
        Assert.That(revision.Number("Revision"), Is.EqualTo(2));
    }

    [Test]
    public void Storage_VolumesClaimsAndClasses()
    {
        var pv = Row("", "persistentvolumes", """
            {"metadata":{"name":"pv1"},"spec":{"capacity":{"storage":"10Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],
             "persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"data"},"storageClassName":"local"},
             "status":{"phase":"Bound"}}
            """);
        Assert.That(pv.Text("Capacity"), Is.EqualTo("10Gi"));
        Assert.That(pv.Text("Access Modes"), Is.EqualTo("RWO,RWX"));
        Assert.That(pv.Text("Claim"), Is.EqualTo("default/data"));
        Assert.That(pv.Text("StorageClass"), Is.EqualTo("local"));
        Assert.That(pv.Text("VolumeAttributesClass"), Is.EqualTo("<unset>"));

        var unbound = Row("", "persistentvolumeclaims", """{"metadata":{"name":"data"},"spec":{"storageClassName":"local"},"status":{"phase":"Pending"}}""");
        Assert.That(new[] { unbound.Text("Status"), unbound.Text("Volume"), unbound.Text("Capacity"), unbound.Text("Access Modes") }, Is.EqualTo(new[] { "Pending", "", "", "" }));
        var bound = Row("", "persistentvolumeclaims", """{"metadata":{"name":"data","deletionTimestamp":"2025-01-01T00:00:00Z"},"spec":{"volumeName":"pv1"},"status":{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}}""");
        Assert.That(new[] { bound.Text("Status"), bound.Text("Capacity"), bound.Text("Access Modes") }, Is.EqualTo(new[] { "Terminating", "1Gi", "RWO" }));

        var sc = Row("storage.k8s.io", "storageclasses", """{"metadata":{"name":"local-path","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"}""");
        Assert.That(sc.Text("Name"), Is.EqualTo("local-path (default)"));
        Assert.That(sc.Text("ReclaimPolicy"), Is.EqualTo("Delete"));
        Assert.That(sc.Text("VolumeBindingMode"), Is.EqualTo("WaitForFirstConsumer"));
        Assert.That(sc["AllowVolumeExpansion"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public void UnknownKind_GetsNameAndCreatedAt()
    {
        var widgets = new ResourceType("example.com", "v1", "widgets", "Widget", typeof(object), true);

        var table = TableBuilder.BuildTable(widgets, [Obj("""{"metadata":{"name":"w","creationTimestamp":"2025-01-02T03:04:05Z"}}""")], new TableOptions(), Now);

        Assert.That(table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]), Is.EqualTo(new[] { "Name", "Created At" }));
        Assert.That((string?)table["columnDefinitions"]![1]!["type"], Is.EqualTo("date"));
        Assert.That(table["rows"]![0]!["cells"]!.ToJsonString(), Is.EqualTo("""["w","2025-01-02T03:04:05Z"]"""));
    }

    [Test]
    public void EveryServedResource_RendersAnEmptyObjectWithoutThrowing()
    {
        foreach (var type in ResourceCatalog.All)
        {
            var table = TableBuilder.BuildTable(type, [Obj("{}")], new TableOptions(), Now);
            Assert.That(table["rows"]![0]!["cells"]!.AsArray(), Has.Count.EqualTo(table["columnDefinitions"]!.AsArray().Count), type.Name);
        }
    }
}
