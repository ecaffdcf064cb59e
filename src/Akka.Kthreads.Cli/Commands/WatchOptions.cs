using System.CommandLine;
using System.Globalization;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>--watch [--interval S] [--count N]</c>: a table redrawn every interval until Ctrl+C (or N tables).</summary>
internal sealed class WatchOptions
{
    /// <summary>Seconds between two tables unless <c>--interval</c> says otherwise.</summary>
    public const double DefaultIntervalSeconds = 2;

    public WatchOptions()
    {
        Watch = new Option<bool>("--watch", "-w")
        {
            Description = "Redraw the table every --interval seconds until Ctrl+C (in place on a terminal; one table after another when piped)",
        };
        Interval = new Option<double?>("--interval")
        {
            Description = $"Seconds between two tables with --watch (default {DefaultIntervalSeconds}; fractions allowed, at least 0.1)",
            HelpName = "seconds",
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(token, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0.1)
                {
                    return seconds;
                }

                result.AddError($"--interval needs a number of seconds, at least 0.1, not '{token}'");
                return null;
            },
        };
        Count = new Option<int?>("--count")
        {
            Description = "With --watch: stop after this many tables (exit 0) instead of at Ctrl+C",
            HelpName = "n",
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
                {
                    return n;
                }

                result.AddError($"--count needs a positive number of tables, not '{token}'");
                return null;
            },
        };
    }

    public Option<bool> Watch { get; }

    public Option<double?> Interval { get; }

    public Option<int?> Count { get; }

    /// <summary>Adds the options to <paramref name="command"/>, and a check that --interval and --count come with --watch and not with <paramref name="json"/>.</summary>
    public void AddTo(Command command, Option<bool> json)
    {
        command.Options.Add(Watch);
        command.Options.Add(Interval);
        command.Options.Add(Count);
        command.Validators.Add(result =>
        {
            var watch = result.GetValue(Watch);
            if (!watch && (result.GetValue(Interval) is not null || result.GetValue(Count) is not null))
            {
                result.AddError("--interval and --count need --watch");
            }

            if (watch && result.GetValue(json))
            {
                result.AddError("--watch draws tables: for JSON, run kps ps --json once per snapshot");
            }
        });
    }

    /// <summary>What <paramref name="parse"/> asked for: null without --watch.</summary>
    public Watching? Of(ParseResult parse) => parse.GetValue(Watch)
        ? new Watching(TimeSpan.FromSeconds(parse.GetValue(Interval) ?? DefaultIntervalSeconds), parse.GetValue(Count))
        : null;
}

/// <summary>A watch: a table every <paramref name="Interval"/>, until Ctrl+C or <paramref name="Count"/> tables.</summary>
internal sealed record Watching(TimeSpan Interval, int? Count);
