using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>Where a command writes: tables and progress to <see cref="Out"/>, failures to <see cref="Error"/>.</summary>
internal sealed record KpsConsole(IKpsOutput Out, TextWriter Error);
