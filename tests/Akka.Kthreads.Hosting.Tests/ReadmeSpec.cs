using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Kthreads.Hosting.Tests.Readme;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// The README's Generic Host examples are the code the specs run: each README block tagged
/// <c>&lt;!-- example: NAME --&gt;</c> is the text between the readme markers of Readme/GenericHostExample.cs,
/// and the node example runs here (the cluster one makes ClusterHostingSpec's nodes).
/// </summary>
public sealed class ReadmeSpec
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("node")]
    [InlineData("cluster")]
    public void The_README_shows_the_example_the_specs_run(string name)
    {
        var root = RepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "Akka.Kthreads.Hosting.Tests", "Readme", "GenericHostExample.cs"));
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));

        var code = Regex.Match(source, $@"// readme:begin {name}\r?\n(.*?)\r?\n\s*// readme:end {name}", RegexOptions.Singleline);
        var shown = Regex.Match(readme, $@"<!-- example: {name} -->\r?\n```csharp\r?\n(.*?)\r?\n```", RegexOptions.Singleline);
        Assert.True(code.Success, $"no readme:begin/end {name} markers in GenericHostExample.cs");
        Assert.True(shown.Success, $"no <!-- example: {name} --> csharp block in README.md");
        Assert.Equal(Dedent(code.Groups[1].Value), Dedent(shown.Groups[1].Value));
    }

    [Fact]
    public async Task The_node_example_runs_its_threads_and_logs_through_Microsoft_Extensions_Logging()
    {
        var logs = new ListLoggerProvider();

        var seen = await GenericHostExample.RunNodeAsync(logs).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(42, seen.ExitCode);
        Assert.Superset(new HashSet<string> { "ksoftirqd/0", "ksoftirqd/1", "events", "answer" }, seen.Comms.ToHashSet());

        // Akka's own log lines came through the host's logging, not Akka's stdout logger.
        Assert.Contains(logs.Lines, l => l.Contains("CoordinatedShutdown", StringComparison.Ordinal));
    }

    private static string Dedent(string block)
    {
        var lines = block.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).Select(l => l.TrimEnd()));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Actors.sln above {AppContext.BaseDirectory}");
    }

    private sealed class ListLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(Lines, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(ConcurrentQueue<string> lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}
