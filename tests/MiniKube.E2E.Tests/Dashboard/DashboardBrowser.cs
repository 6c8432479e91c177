using Microsoft.Playwright;

namespace MiniKube.E2E.Tests.Dashboard;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, which scripts/test installs) driven headless by
/// Playwright; Playwright downloads no browser of its own. One browser per test, with a fresh
/// context (no cookies, cache or sessionStorage) per <see cref="NewPageAsync"/>.
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    /// <summary>The Chromium the tests drive; CHROMIUM_PATH points elsewhere.</summary>
    public static string ChromiumPath { get; } = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where the screenshots go: artifacts/dashboard-screenshots at the repository root, or DASHBOARD_SCREENSHOTS.</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(MkubeBinary.RepositoryRoot(), "artifacts", "dashboard-screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    // What the pages said and which requests failed, in order: written to the test's output when the browser closes.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _journal = new();

    private DashboardBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<DashboardBrowser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Fail($"{ChromiumPath} does not exist: apt-get install chromium (scripts/test does) or set CHROMIUM_PATH");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        return new DashboardBrowser(playwright, browser);
    }

    /// <summary>
    /// A page in a context of its own. The server's certificate is signed by the cluster's own CA,
    /// which the browser does not know, as a user's browser would not until they import it.
    /// </summary>
    /// <remarks>
    /// <paramref name="clientCertificate"/> (origin, PEM certificate and key paths) is presented to
    /// the server as a browser presents a certificate the user imported.
    /// </remarks>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 860, ClientCertificate? clientCertificate = null)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            DeviceScaleFactor = 1,
            IsMobile = width < 600,
            HasTouch = width < 600,
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
        });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        var opened = System.Diagnostics.Stopwatch.StartNew();
        void Note(string what) => _journal.Enqueue($"{opened.Elapsed.TotalSeconds,7:F2}s {width}px {what}");
        page.Console += (_, message) => Note($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => Note($"page error: {error}");
        page.RequestFailed += (_, request) => Note($"request failed: {request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                Note($"response {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
        return page;
    }

    /// <summary>Signs in on the page's sign-in form with a bearer token and waits for the overview.</summary>
    public static async Task SignInAsync(IPage page, Uri server, string token)
    {
        await OpenAsync(page, new Uri(server, "/dashboard/"), async () =>
        {
            await page.Locator("#token").FillAsync(token, new() { Timeout = 15_000 });
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await page.Locator("h1", new() { HasText = "Overview" }).WaitForAsync(new() { Timeout = 15_000 });
        });
    }

    /// <summary>
    /// Loads <paramref name="url"/> and does <paramref name="steps"/> on it, both again (at most
    /// twice more) when a request meanwhile failed with <c>net::ERR_NETWORK_CHANGED</c>.
    /// Playwright reports a wait that ran out as <see cref="System.TimeoutException"/>, not as a
    /// <see cref="PlaywrightException"/>, so both are caught, and only after such a failure.
    /// </summary>
    /// <remarks>
    /// Chromium fails every request in flight when an address of the machine appears or goes, and a
    /// Docker node adds a veth, with an IPv6 link-local address a second or so later, for every pod
    /// it starts. A user would press reload; so does the test, and only for that failure.
    /// </remarks>
    public static async Task OpenAsync(IPage page, Uri url, Func<Task> steps)
    {
        for (var attempt = 1; ; attempt++)
        {
            var networkChanged = false;
            void Watch(object? sender, IRequest request) => networkChanged |= request.Failure?.Contains("ERR_NETWORK_CHANGED", StringComparison.Ordinal) == true;
            page.RequestFailed += Watch;
            try
            {
                await page.GotoAsync(url.ToString());
                await steps();
                return;
            }
            catch (Exception error) when (error is PlaywrightException or TimeoutException && networkChanged && attempt < 3)
            {
                await TestContext.Out.WriteLineAsync($"loading {url} again: the machine's network changed during the load ({error.GetType().Name})");
            }
            finally
            {
                page.RequestFailed -= Watch;
            }
        }
    }

    /// <summary>Saves a full-page PNG under <see cref="ScreenshotDirectory"/> and attaches it to the test's result.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_journal.IsEmpty)
        {
            await TestContext.Out.WriteLineAsync("the browser's console, page errors, failed requests and error responses:\n" + string.Join('\n', _journal));
        }
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
