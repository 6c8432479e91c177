using System.Text;
using MiniKube.Agent.Runtime;

namespace MiniKube.Agent.Kubelet;

/// <summary>
/// What the runtime is told to run for one container (kuberuntime_container.go
/// generateContainerConfig): command and args with <c>$(VAR)</c> expanded, the environment
/// (service variables, envFrom, then env with fieldRef, configMapKeyRef and secretKeyRef
/// resolved), the volume mounts, resources and security settings. Throws
/// <see cref="ContainerConfigException"/> for what makes the container unconfigurable
/// (CreateContainerConfigError).
/// </summary>
internal sealed class ContainerConfigGenerator(KubeletOptions options, ConfigMapsAndSecrets configs, VolumeManager volumes, Func<IEnumerable<V1Service>> services)
{
    public async Task<ContainerConfig> GenerateAsync(V1Pod pod, PodSandbox sandbox, V1Container container, bool init, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        // Service variables first: the container's own override them and may refer to them as $(VAR).
        var env = ServiceEnvironment.For(pod, services());
        foreach (var source in container.EnvFrom ?? [])
        {
            var data = source.ConfigMapRef is { } cm
                ? await configs.ConfigMapDataAsync(pod.Namespace(), cm.Name, cm.Optional == true, cancellationToken)
                : source.SecretRef is { } secret ? await configs.SecretDataAsync(pod.Namespace(), secret.Name, secret.Optional == true, cancellationToken) : null;
            foreach (var (key, value) in data ?? new Dictionary<string, string>())
            {
                env[(source.Prefix ?? "") + key] = value;
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            env[variable.Name] = variable.ValueFrom is { } from ? await ResolveAsync(pod, sandbox, from, cancellationToken) : Expand(variable.Value ?? "", env);
        }
        var mounts = await volumes.MountsAsync(pod, container, cancellationToken);
        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        return new ContainerConfig(container.Name, container.Image)
        {
            Command = [.. (container.Command ?? []).Select(a => Expand(a, env))],
            Args = [.. (container.Args ?? []).Select(a => Expand(a, env))],
            Env = env,
            WorkingDir = container.WorkingDir,
            Mounts = mounts,
            CpuLimitMillis = Quantities.Milli(limits, "cpu"),
            CpuRequestMillis = Quantities.Milli(requests, "cpu"),
            MemoryLimitBytes = Quantities.Value(limits, "memory"),
            RunAsUser = container.SecurityContext?.RunAsUser ?? pod.Spec.SecurityContext?.RunAsUser,
            Privileged = container.SecurityContext?.Privileged == true,
            ReadOnlyRootFilesystem = container.SecurityContext?.ReadOnlyRootFilesystem == true,
            Tty = container.Tty == true,
            Stdin = container.Stdin == true,
            StdinOnce = container.StdinOnce == true,
            Attempt = attempt,
            Init = init,
            RunsToCompletion = init || pod.Spec.RestartPolicy is "Never" or "OnFailure",
        };
    }

    /// <summary>$(VAR) references to earlier variables, as Kubernetes expands command, args and env ($$ escapes).</summary>
    public static string Expand(string text, Dictionary<string, string> env)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(env);
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '(' && text.IndexOf(')', i + 2) is var end and > 0
                && env.TryGetValue(text[(i + 2)..end], out var value))
            {
                result.Append(value);
                i = end;
            }
            else
            {
                result.Append(text[i]);
            }
        }
        return result.ToString();
    }

    private async Task<string> ResolveAsync(V1Pod pod, PodSandbox sandbox, V1EnvVarSource from, CancellationToken cancellationToken)
    {
        if (from.FieldRef is { } field)
        {
            return DownwardApi.FieldValue(pod, field.FieldPath, options.NodeName, options.NodeIp, sandbox.Ip);
        }
        if (from.ConfigMapKeyRef is { } cmKey)
        {
            var data = await configs.ConfigMapDataAsync(pod.Namespace(), cmKey.Name, cmKey.Optional == true, cancellationToken);
            return data?.GetValueOrDefault(cmKey.Key) ?? (cmKey.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {cmKey.Key} in ConfigMap {pod.Namespace()}/{cmKey.Name}"));
        }
        if (from.SecretKeyRef is { } secretKey)
        {
            var data = await configs.SecretDataAsync(pod.Namespace(), secretKey.Name, secretKey.Optional == true, cancellationToken);
            return data?.GetValueOrDefault(secretKey.Key) ?? (secretKey.Optional == true ? "" : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {pod.Namespace()}/{secretKey.Name}"));
        }
        return "";
    }
}

/// <summary>A container cannot be configured (missing configMap key, unsupported volume): CreateContainerConfigError.</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);
