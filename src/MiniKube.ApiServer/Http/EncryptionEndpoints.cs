using MiniKube.ApiServer.Encryption;
using MiniKube.ApiServer.Errors;
using MiniKube.Storage;

namespace MiniKube.ApiServer.Http;

/// <summary>
/// The server endpoints <c>mkube secrets-encrypt</c> calls, as k3s serves <c>/v1-k3s/encrypt/status</c>
/// and <c>/v1-k3s/encrypt/config</c> (pkg/server/secrets-encrypt.go): GET status, and PUT config
/// with <c>{"stage":"rotate_keys"}</c> or <c>{"stage":"reencrypt_active"}</c>. They sit behind
/// authentication and authorization like any path: <c>system:masters</c> (the admin certificate)
/// and the server token's group (<c>system:mkube:secrets-encrypt</c>, as k3s accepts its server
/// token) may call them. Answers never carry key material.
/// </summary>
internal sealed class EncryptionEndpoints(SecretsEncryption? encryption, IStore rawStore)
{
    public const string StatusPath = "/v1-mkube/encrypt/status";
    public const string ConfigPath = "/v1-mkube/encrypt/config";

    /// <summary>k3s' stage names for the two operations (pkg/secretsencrypt/config.go).</summary>
    public const string RotateKeysStage = "rotate_keys";
    public const string ReencryptStage = "reencrypt_active";

    public static bool Serves(string path) => path is StatusPath or ConfigPath;

    public async Task ServeAsync(HttpContext context, string path)
    {
        if ((path == StatusPath && !HttpMethods.IsGet(context.Request.Method)) || (path == ConfigPath && !HttpMethods.IsPut(context.Request.Method)))
        {
            throw ApiException.MethodNotAllowed();
        }
        if (path == StatusPath)
        {
            var status = encryption?.Status() ?? new EncryptionStatus(null, "", false, null, []);
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, status.ToJson());
            return;
        }
        var stage = Stage(await RequestBody.ReadBytesAsync(context));
        if (encryption is null)
        {
            throw ApiException.BadRequest("secrets encryption is not configured; start the server with --secrets-encryption");
        }
        try
        {
            JsonObject answer = stage switch
            {
                RotateKeysStage => new JsonObject { ["activekey"] = await encryption.RotateKeysAsync(context.RequestAborted) },
                ReencryptStage => new JsonObject { ["reencrypted"] = await encryption.ReencryptAsync(rawStore, context.RequestAborted) },
                _ => throw ApiException.BadRequest($"unknown stage {stage} requested"),
            };
            await ResponseWriter.WriteObjectAsync(context, StatusCodes.Status200OK, answer);
        }
        catch (InvalidOperationException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
    }

    private static string Stage(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject request && request["stage"] is JsonValue value && value.TryGetValue<string>(out var stage)
                ? stage
                : throw ApiException.BadRequest("the request must be {\"stage\": \"rotate_keys\" or \"reencrypt_active\"}");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the request is not JSON: {e.Message}");
        }
    }
}
