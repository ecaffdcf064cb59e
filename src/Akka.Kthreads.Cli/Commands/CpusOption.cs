using System.CommandLine;
using System.Globalization;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>--cpus N</c>: how many CPUs the node has (kthreads.cpus.possible); default: this machine's.</summary>
internal static class CpusOption
{
    public static Option<int?> Create() => new("--cpus")
    {
        Description = "Number of possible CPUs of the node (kthreads.cpus.possible); default: the processor count",
        HelpName = "n",
        Recursive = true,
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var cpus) && cpus > 0)
            {
                return cpus;
            }

            result.AddError($"--cpus needs a positive number of CPUs, not '{token}'");
            return null;
        },
    };

    /// <summary>
    /// Makes <paramref name="command"/> refuse <c>--cpus</c> (recursive, so it parses everywhere): a command that asks a
    /// running cluster runs no node of its own, and an option it would silently ignore is a user's mistake.
    /// </summary>
    public static void RefuseOn(Command command, Option<int?> cpus, Func<System.CommandLine.Parsing.CommandResult, bool>? when = null)
    {
        command.Validators.Add(result =>
        {
            if (result.GetResult(cpus) is { Implicit: false } && (when is null || when(result)))
            {
                result.AddError($"--cpus is not for kps {command.Name}{(when is null ? "" : " --seeds")}: it asks a running cluster, "
                    + "whose CPUs are its nodes' own (kthreads.cluster.cpus, kps node --cpus)");
            }
        });
    }
}
