using k8s.Models;
using MiniKube.Agent.Kubelet;

namespace MiniKube.Agent.Tests.Kubelet;

[TestFixture]
public sealed class ConfigMapsAndSecretsTests
{
    [Test]
    public void ConfigMapNamesAndSecretNames_EnvEnvFromVolumesAndProjectedSourcesOfEveryContainer()
    {
        var pod = new V1Pod
        {
            Spec = new V1PodSpec
            {
                InitContainers = [new V1Container { Name = "init", EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "cm-init" } }] }],
                Containers =
                [
                    new V1Container
                    {
                        Name = "main",
                        EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "s-from" } }],
                        Env =
                        [
                            new V1EnvVar { Name = "A", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cm-key", Key = "k" } } },
                            new V1EnvVar { Name = "B", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "s-key", Key = "k" } } },
                            new V1EnvVar { Name = "C", Value = "plain" },
                        ],
                    },
                ],
                Volumes =
                [
                    new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cm-vol" } },
                    new V1Volume { Name = "sec", Secret = new V1SecretVolumeSource { SecretName = "s-vol" } },
                    new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() },
                    new V1Volume
                    {
                        Name = "kube-api-access-x1y2z",
                        Projected = new V1ProjectedVolumeSource
                        {
                            Sources =
                            [
                                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token" } },
                                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt" } },
                                new V1VolumeProjection { Secret = new V1SecretProjection { Name = "s-proj" } },
                            ],
                        },
                    },
                ],
            },
        };

        Assert.That(ConfigMapsAndSecrets.ConfigMapNames(pod), Is.EquivalentTo(new[] { "cm-init", "cm-key", "cm-vol", "kube-root-ca.crt" }));
        Assert.That(ConfigMapsAndSecrets.SecretNames(pod), Is.EquivalentTo(new[] { "s-from", "s-key", "s-vol", "s-proj" }));
    }
}
