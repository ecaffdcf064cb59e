using System.CommandLine;
using System.Globalization;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>The options of the commands that ask a running cluster (<c>kps cpus</c>, <c>kps ps --seeds</c>).</summary>
internal sealed class ClientOptions
{
    /// <summary>How long a seed has to answer unless <c>--timeout</c> says otherwise.</summary>
    public const int DefaultTimeoutSeconds = 10;

    public ClientOptions(string seedsDescription)
    {
        Seeds = SeedsOption.Create(seedsDescription);
        Json = new Option<bool>("--json")
        {
            Description = "Print a JSON array of objects keyed by the table's column names in lower case",
        };
        Timeout = new Option<int>("--timeout")
        {
            Description = $"Seconds to wait for each seed's answer (default {DefaultTimeoutSeconds})",
            HelpName = "seconds",
            DefaultValueFactory = _ => DefaultTimeoutSeconds,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
                {
                    return seconds;
                }

                result.AddError($"--timeout needs a positive number of seconds, not '{token}'");
                return 0;
            },
        };
    }

    public Option<IReadOnlyList<Seed>?> Seeds { get; }

    public Option<bool> Json { get; }

    public Option<int> Timeout { get; }

    /// <summary>Adds the three options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Seeds);
        command.Options.Add(Json);
        command.Options.Add(Timeout);
    }

    /// <summary>The wait per seed that <paramref name="parse"/> asked for.</summary>
    public TimeSpan TimeoutOf(ParseResult parse) => TimeSpan.FromSeconds(parse.GetValue(Timeout));
}
