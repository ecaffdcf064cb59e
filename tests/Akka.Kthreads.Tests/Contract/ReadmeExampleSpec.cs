using System.Text.RegularExpressions;
using Xunit;

namespace Akka.Kthreads.Tests.Contract;

/// <summary>
/// The README's porting example is the code a spec runs: the block tagged <c>&lt;!-- example: kjournald2 --&gt;</c>
/// is the text between the readme markers of Wait/Jbd2Spec.cs, so the two cannot drift apart.
/// </summary>
public sealed class ReadmeExampleSpec
{
    [Fact]
    public void The_README_ports_kjournald2_as_Jbd2Spec_runs_it()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "README.md")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var source = File.ReadAllText(Path.Combine(root.FullName, "tests", "Akka.Kthreads.Tests", "Wait", "Jbd2Spec.cs"));
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md"));
        var code = Regex.Match(source, @"// readme:begin kjournald2\r?\n(.*?)\r?\n\s*// readme:end kjournald2", RegexOptions.Singleline);
        var shown = Regex.Match(readme, @"<!-- example: kjournald2 -->\r?\n```csharp\r?\n(.*?)\r?\n```", RegexOptions.Singleline);

        Assert.True(code.Success, "no readme:begin/end kjournald2 markers in Wait/Jbd2Spec.cs");
        Assert.True(shown.Success, "no <!-- example: kjournald2 --> csharp block in README.md");
        Assert.Equal(Lines(code.Groups[1].Value), Lines(shown.Groups[1].Value));
    }

    // Trimmed lines: the file indents the method inside its class, the README does not.
    private static string[] Lines(string block) =>
        block.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).ToArray();
}
