using System.Text;

namespace MiniKube.Storage;

/// <summary>What the store accepts, checked once for every backend before anything is written.</summary>
public static class StoreLimits
{
    /// <summary>etcd's default request limit, and so the largest object Kubernetes can store.</summary>
    public const int MaxValueBytes = 1536 * 1024;

    /// <summary>Far above any Kubernetes key (/registry/resource/namespace/name is under 400 bytes).</summary>
    public const int MaxKeyBytes = 1024;

    public static void CheckKey(string key, string paramName = "key")
    {
        ArgumentNullException.ThrowIfNull(key, paramName);
        if (key.Length == 0)
        {
            throw new ArgumentException("the key is empty", paramName);
        }
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > MaxKeyBytes)
        {
            throw new ArgumentException($"the key is {bytes} bytes; the limit is {MaxKeyBytes}", paramName);
        }
    }

    public static void CheckValue(byte[] value, string paramName = "value")
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length > MaxValueBytes)
        {
            throw new ArgumentException($"the value is {value.Length} bytes; the limit is {MaxValueBytes}", paramName);
        }
    }
}
