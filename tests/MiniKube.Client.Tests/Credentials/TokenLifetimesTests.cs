using MiniKube.Client.Credentials;

namespace MiniKube.Client.Tests.Credentials;

[TestFixture]
public sealed class TokenLifetimesTests
{
    private static readonly DateTimeOffset Issued = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void RefreshAt_HourToken_At80PercentOfItsLifetime() =>
        Assert.That(TokenLifetimes.RefreshAt(Issued, Issued.AddHours(1)), Is.EqualTo(Issued.AddMinutes(48)));

    [Test]
    public void RefreshAt_YearToken_AfterADayAtTheLatest() =>
        Assert.That(TokenLifetimes.RefreshAt(Issued, Issued.AddDays(365)), Is.EqualTo(Issued.AddHours(24)));
}
