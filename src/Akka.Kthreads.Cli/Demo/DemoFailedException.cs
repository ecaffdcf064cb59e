namespace Akka.Kthreads.Cli.Demo;

/// <summary>A demo step whose result was not the one the kthread protocol promises.</summary>
internal sealed class DemoFailedException(string message) : Exception(message);
