namespace Akka.Kthreads.Internal;

// INTERNAL API. What the hotplug actor asks of kthreadd, which alone walks the thread table.

/// <summary>The per-CPU threads bound to <see cref="Cpu"/> that are neither parked nor exited (to park them).</summary>
internal sealed record PerCpuThreadsOn(int Cpu);

/// <summary>The reply to <see cref="PerCpuThreadsOn"/>.</summary>
internal sealed record PerCpuThreadList(IReadOnlyList<Kthread> Threads);

/// <summary>
/// migrate_tasks(): <see cref="Cpu"/> is offline; threads bound to it that are not per-CPU lose their
/// binding ("no longer affine"), and every plain thread last seen there moves to an online CPU.
/// </summary>
internal sealed record MigrateFrom(int Cpu);

/// <summary>The reply to <see cref="MigrateFrom"/>: how many threads moved.</summary>
internal sealed record Migrated(int Count);
