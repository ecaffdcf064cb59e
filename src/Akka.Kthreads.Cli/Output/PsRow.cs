namespace Akka.Kthreads.Cli.Output;

/// <summary>One line of the ps table, already in the words ps prints (CPU "-" when none).</summary>
internal sealed record PsRow(int Pid, int PPid, string Cpu, char Stat, string Command)
{
    /// <summary>The columns, in order.</summary>
    public static IReadOnlyList<string> Header { get; } = ["PID", "PPID", "CPU", "STAT", "COMMAND"];

    /// <summary>kthreadd itself (pid 2, child of the idle task 0): ListAsync does not list it.</summary>
    public static PsRow Kthreadd { get; } = new(2, 0, "-", KthreadState.Sleeping.ToPsLetter(), "kthreadd");

    public static PsRow From(KthreadInfo info) =>
        new(info.Pid, info.PPid, info.Cpu?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            info.Stat, info.Comm);
}
