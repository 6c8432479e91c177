namespace MiniKube.Api.Tests;

public class GoStringsTests
{
    [TestCase("a\"b\\c\nd\te\u0001", "\"a\\\"b\\\\c\\nd\\te\\x01\"")]
    [TestCase("héllo 世界", "\"héllo 世界\"")]
    [TestCase("\u200b", "\"\\u200b\"")]
    [TestCase("", "\"\"")]
    public void Quote_AsStrconvQuote(string value, string expected) =>
        Assert.That(GoStrings.Quote(value), Is.EqualTo(expected));
}
