using System.CommandLine;
using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli;

/// <summary>kps: runs a Kthreads node and shows its threads ps-style; no arguments runs the demo.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, rich: null, Console.Error);

    /// <summary>
    /// Parses <paramref name="args"/> and runs the command, writing to <paramref name="output"/>, so
    /// that tests drive the CLI in-process with a StringWriter.
    /// </summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="output">Where tables and progress go.</param>
    /// <param name="rich">Spectre.Console tables (true) or plain aligned text (false); null: rich only on a terminal.</param>
    /// <param name="error">Where errors go; Console.Error when null.</param>
    /// <returns>The exit code: 0 on success, non-zero on a parse error or a failed step.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter output, bool? rich = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var onConsole = ReferenceEquals(output, Console.Out);
        var console = new KpsConsole(
            IKpsOutput.For(output, rich ?? (onConsole && !Console.IsOutputRedirected)),
            error ?? Console.Error);
        var invocation = new InvocationConfiguration
        {
            Output = output,
            Error = console.Error,
            // Ctrl+C cancels the command's token (then the node shuts down); only for a real console.
            ProcessTerminationTimeout = onConsole ? TimeSpan.FromSeconds(10) : null,
        };

        return KpsCommandLine.Build(console).Parse(args).InvokeAsync(invocation);
    }
}
