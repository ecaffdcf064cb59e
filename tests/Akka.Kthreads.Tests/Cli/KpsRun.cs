using Akka.Kthreads.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>Runs kps in-process the way a pipe sees it, and reads its plain ps tables back, for every CLI spec.</summary>
internal static class KpsRun
{
    private const string Header = "PID PPID CPU STAT COMMAND";

    /// <summary>kps with <paramref name="commandLine"/>, plain output; everything it printed goes to the test log.</summary>
    public static async Task<(int Code, string Output, string Error)> RunAsync(ITestOutputHelper log, string commandLine)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var code = await Program.RunAsync(args, output, rich: false, error: error);

        log.WriteLine($"kps {commandLine} -> {code}");
        log.WriteLine(output.ToString());
        log.WriteLine(error.ToString());
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Each plain table: the heading line above it, and its rows split into five columns.</summary>
    public static List<PsTable> Tables(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var tables = new List<PsTable>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.Join(' ', Columns(lines[i])) != Header)
            {
                continue;
            }

            var heading = i > 0 ? lines[i - 1].Trim() : string.Empty;
            var rows = new List<string[]>();
            for (i++; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                var row = Columns(lines[i]);
                Assert.Equal(5, row.Length);
                rows.Add(row);
            }

            tables.Add(new PsTable(heading, rows));
        }

        Assert.All(tables, t => Assert.NotEmpty(t.Rows));
        return tables;
    }

    /// <summary>Each plain table whose header is <paramref name="header"/> (cluster CPUs, cluster ps): the line above it and its rows.</summary>
    public static List<PsTable> Grids(string output, string header)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var columns = Columns(header).Length;
        var tables = new List<PsTable>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.Join(' ', Columns(lines[i])) != header)
            {
                continue;
            }

            var heading = i > 0 ? lines[i - 1].Trim() : string.Empty;
            var rows = new List<string[]>();
            for (i++; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                var row = Columns(lines[i]);
                Assert.Equal(columns, row.Length);
                rows.Add(row);
            }

            tables.Add(new PsTable(heading, rows));
        }

        return tables;
    }

    /// <summary>The one row of <paramref name="command"/> in <paramref name="table"/>.</summary>
    public static string[] Row(PsTable table, string command) => Assert.Single(table.Rows, r => r[4] == command);

    private static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>One plain ps table of kps output: the line above it and its rows.</summary>
internal sealed record PsTable(string Heading, List<string[]> Rows);
