using System.Globalization;
using k8s.Models;

namespace MiniKube.Controllers.Common;

/// <summary>apimachinery's intstr.GetScaledValueFromIntOrPercent: "3" is 3, "25%" is a quarter of the total, rounded up or down.</summary>
public static class IntOrPercent
{
    public static int Scaled(IntOrString? value, int total, bool roundUp, int fallback)
    {
        var text = value?.Value;
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        if (text.EndsWith('%') && int.TryParse(text[..^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent))
        {
            var scaled = percent * (double)total / 100;
            return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : fallback;
    }
}
