using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// A real <c>kps</c> process (the kps.dll built beside the specs), its output collected; Dispose kills
/// it (SIGKILL) if it still runs and writes what it printed to the test log, so no process outlives its spec.
/// </summary>
internal sealed class KpsProcess : IDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _log;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private KpsProcess(Process process, ITestOutputHelper log, string name)
    {
        _process = process;
        _log = log;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Starts <c>kps <paramref name="arguments"/></c> with stdout and stderr piped.</summary>
    public static KpsProcess Start(ITestOutputHelper log, string name, string arguments)
    {
        var kps = Path.Combine(AppContext.BaseDirectory, "kps.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", $"\"{kps}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var kpsProcess = new KpsProcess(process, log, name);
        process.OutputDataReceived += (_, e) => kpsProcess.OnLine(e.Data, "");
        process.ErrorDataReceived += (_, e) => kpsProcess.OnLine(e.Data, "stderr: ");
        process.Exited += (_, _) => kpsProcess._up.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode} before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return kpsProcess;
    }

    /// <summary>Waits for the "node akka.tcp://... up" line, at most <paramref name="bound"/>.</summary>
    public Task<string> WaitUpAsync(TimeSpan bound) => _up.Task.WaitAsync(bound);

    /// <summary>SIGKILL: a crash, no leave.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }

        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _log.WriteLine($"--- {Name} (exit {(_process.HasExited ? _process.ExitCode : "none")}) ---");
        foreach (var line in _lines)
        {
            _log.WriteLine(line);
        }

        _process.Dispose();
    }

    private void OnLine(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(prefix + line);
        if (prefix.Length == 0 && line.StartsWith("node akka.tcp://", StringComparison.Ordinal) && line.EndsWith(" up", StringComparison.Ordinal))
        {
            _up.TrySetResult(line);
        }
    }
}
