using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// A real <c>kps</c> process (the kps.dll built beside the specs), its output collected; Dispose kills
/// it (SIGKILL) if it still runs and writes what it printed to the test log, so no process outlives its spec.
/// </summary>
internal sealed class KpsProcess : IDisposable
{
    private const string ErrorPrefix = "stderr: ";

    private readonly Process _process;
    private readonly ITestOutputHelper _log;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Prefix, string Text, TaskCompletionSource<string> Seen)> _awaited = [];

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
        process.ErrorDataReceived += (_, e) => kpsProcess.OnLine(e.Data, ErrorPrefix);
        process.Exited += (_, _) => kpsProcess._up.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode} before it was up"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return kpsProcess;
    }

    /// <summary>Waits for the "node akka.tcp://... up" line, at most <paramref name="bound"/>.</summary>
    public Task<string> WaitUpAsync(TimeSpan bound) => _up.Task.WaitAsync(bound);

    /// <summary>Waits for a stdout line containing <paramref name="text"/> (printed before or after the call), at most <paramref name="bound"/>.</summary>
    public Task<string> WaitLineAsync(string text, TimeSpan bound) => WaitAsync("", text, bound);

    /// <summary>Waits for a stderr line containing <paramref name="text"/> (printed before or after the call), at most <paramref name="bound"/>.</summary>
    public Task<string> WaitErrorLineAsync(string text, TimeSpan bound) => WaitAsync(ErrorPrefix, text, bound);

    /// <summary>What it printed on stdout so far, line by line.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_awaited)
            {
                return _lines.Where(l => !l.StartsWith(ErrorPrefix, StringComparison.Ordinal)).ToArray();
            }
        }
    }

    /// <summary>SIGINT, as Ctrl+C in a terminal (POSIX).</summary>
    public void Interrupt()
    {
        const int SigInt = 2;
        if (IgnoresSigInt(_process.Id))
        {
            // POSIX: a job started in the background of a non-interactive shell ignores SIGINT, and its children inherit that.
            throw new InvalidOperationException(
                $"{Name} ignores SIGINT, inherited from this test process: run the tests in the foreground, not as a background job");
        }

        if (SendSignal(_process.Id, SigInt) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to exit, at most <paramref name="bound"/>; its exit code.</summary>
    public async Task<int> WaitExitAsync(TimeSpan bound)
    {
        await _process.WaitForExitAsync().WaitAsync(bound);
        return _process.ExitCode;
    }

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

    private Task<string> WaitAsync(string prefix, string text, TimeSpan bound)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_awaited)
        {
            _awaited.Add((prefix, text, seen));
            if (_lines.FirstOrDefault(l => IsFrom(l, prefix) && l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                seen.TrySetResult(line[prefix.Length..]);
            }
        }

        return seen.Task.WaitAsync(bound);
    }

    // stdout lines are kept as printed, stderr lines behind ErrorPrefix.
    private static bool IsFrom(string line, string prefix) =>
        prefix.Length > 0 ? line.StartsWith(prefix, StringComparison.Ordinal) : !line.StartsWith(ErrorPrefix, StringComparison.Ordinal);

    // The SigIgn mask of /proc/<pid>/status (hex, bit n-1 for signal n); false where there is no /proc.
    private static bool IgnoresSigInt(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return false;
        }

        var ignored = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return ignored is not null && (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & 0b10) != 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void OnLine(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_awaited)
        {
            _lines.Enqueue(prefix + line);
            foreach (var (_, _, seen) in _awaited.Where(a => a.Prefix == prefix && line.Contains(a.Text, StringComparison.Ordinal)))
            {
                seen.TrySetResult(line);
            }
        }

        if (prefix.Length == 0 && line.StartsWith("node akka.tcp://", StringComparison.Ordinal) && line.EndsWith(" up", StringComparison.Ordinal))
        {
            _up.TrySetResult(line);
        }
    }
}
