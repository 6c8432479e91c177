using System.Net.Security;
using System.Text;

namespace MiniKube.ApiServer.Webhooks;

/// <summary>
/// Sends each value of a multi-valued X-Remote-* request header as a header line of its own, which
/// .NET's HTTP client never does (it joins values with ", "), while Go servers read repeated
/// lines as separate values and a joined line as one: X-Remote-Group must carry one group per
/// line or an extension API server sees a single group "a, b". The handler renames the second
/// and further values of such headers to unique placeholder names, and <see cref="HeadRewriter"/>
/// puts the real name back on the wire. Requests go out as HTTP/1.1 with Connection: close, so
/// each connection carries exactly one request head to rewrite; TLS is done by the transport's
/// connect callback beneath the rewriter (the handler itself sees http://).
/// </summary>
internal sealed class RepeatedHeaders(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string Placeholder = "Mkube-Repeat-";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Prepare(request);
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Prepare(request);
        return base.Send(request, cancellationToken);
    }

    private static void Prepare(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            // TLS happens in the connect callback, below the rewriter; the port stays explicit.
            request.RequestUri = new UriBuilder(uri) { Scheme = Uri.UriSchemeHttp, Port = uri.Port }.Uri;
        }
        request.Version = System.Net.HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Headers.ConnectionClose = true;
        var counter = 0;
        foreach (var (name, values) in request.Headers.NonValidated.ToList())
        {
            // Only the request-header identity: standard headers mean the same joined (and Cookie must stay one line).
            if (values.Count < 2 || !name.StartsWith("X-Remote-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var all = values.ToList();
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, all[0]);
            foreach (var value in all.Skip(1))
            {
                request.Headers.TryAddWithoutValidation($"{Placeholder}{(counter++).ToString(CultureInfo.InvariantCulture)}-{name}", value);
            }
        }
    }

    /// <summary>
    /// The connection stream beneath HTTP/1.1: holds the request head until its blank line,
    /// restores the placeholder names in it, then passes everything through unchanged.
    /// </summary>
    internal sealed class HeadRewriter(SslStream inner) : Stream
    {
        private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();
        private MemoryStream? _head = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_head is null)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }
            _head.Write(buffer.Span);
            var bytes = _head.GetBuffer().AsMemory(0, (int)_head.Length);
            var end = bytes.Span.IndexOf(EndOfHead);
            if (end < 0)
            {
                return;
            }
            var head = Rewrite(Encoding.Latin1.GetString(bytes.Span[..(end + EndOfHead.Length)]));
            var rest = bytes[(end + EndOfHead.Length)..].ToArray();
            _head = null;
            await inner.WriteAsync(Encoding.Latin1.GetBytes(head), cancellationToken);
            if (rest.Length > 0)
            {
                await inner.WriteAsync(rest, cancellationToken);
            }
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _head is null ? inner.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        /// <summary>"Mkube-Repeat-3-X-Remote-Group: b" becomes "X-Remote-Group: b"; other lines stay.</summary>
        internal static string Rewrite(string head)
        {
            var lines = head.Split("\r\n");
            for (var i = 1; i < lines.Length; i++)
            {
                if (!lines[i].StartsWith(Placeholder, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var afterCounter = lines[i].IndexOf('-', Placeholder.Length);
                if (afterCounter > 0)
                {
                    lines[i] = lines[i][(afterCounter + 1)..];
                }
            }
            return string.Join("\r\n", lines);
        }
    }
}
