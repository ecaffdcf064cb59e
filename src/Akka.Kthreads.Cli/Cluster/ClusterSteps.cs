using System.Globalization;
using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// What <c>kps cluster</c> shows of its steps. Piped: a heading, the placement lines and the CPU table
/// per step, one after another (the specs read them). On a terminal: one live frame, redrawn as each
/// step settles, with a table of the steps (settling, then how long it took) above the latest CPUs.
/// </summary>
internal sealed class ClusterSteps(IKpsOutput output, IKpsFrame? live)
{
    private static readonly IReadOnlyList<GridColumn> StepColumns = [new("STEP"), new("WHAT HAPPENED"), new("SETTLED", Numeric: true)];

    private readonly List<IReadOnlyList<string>> _steps = [];
    private (string Heading, string Line) _title = (string.Empty, string.Empty);
    private IReadOnlyList<string> _lines = [];
    private Grid? _cpus;

    /// <summary>What the scenario runs, and where its store is.</summary>
    public void Title(string heading, string line)
    {
        _title = (heading, line);
        if (live is null)
        {
            output.Heading(heading);
            output.Line(line);
            output.Heading(string.Empty);
            return;
        }

        Redraw();
    }

    /// <summary>A step done, its cluster settling: on a terminal its row says so; piped, nothing yet.</summary>
    public void Settling(string step, string what)
    {
        if (live is null)
        {
            return;
        }

        _steps.Add([step, what, "settling…"]);
        Redraw();
    }

    /// <summary>The step settled after <paramref name="took"/>: where every CPU is now.</summary>
    public void Settled(string step, string what, TimeSpan took, IReadOnlyList<string> lines, Grid cpus)
    {
        var settled = string.Create(CultureInfo.InvariantCulture, $"{took.TotalSeconds:0.0} s");
        if (live is null)
        {
            output.Heading($"{step} {what}; settled in {settled}.");
            foreach (var line in lines)
            {
                output.Line(line);
            }

            output.Table(cpus);
            return;
        }

        _steps[^1] = [step, what, settled];
        (_lines, _cpus) = (lines, cpus);
        Redraw();
    }

    private void Redraw()
    {
        live!.Heading(_title.Heading);
        live.Line(_title.Line);
        if (_steps.Count > 0)
        {
            live.Table(new Grid(StepColumns, _steps));
        }

        if (_cpus is not null)
        {
            live.Heading($"CPUs after step {_steps.FindLast(s => s[2] != "settling…")?[0]}");
            foreach (var line in _lines)
            {
                live.Line(line);
            }

            live.Table(_cpus);
        }

        live.Show();
    }
}
