namespace Akka.Kthreads;

/// <summary>Published on the event stream once <see cref="Cpu"/> is up and every state's startup has run on it.</summary>
/// <param name="Cpu">The CPU that came online.</param>
public sealed record CpuOnline(int Cpu);

/// <summary>Published on the event stream once <see cref="Cpu"/> is down: teardowns run, per-CPU threads parked, the others moved.</summary>
/// <param name="Cpu">The CPU that went offline.</param>
public sealed record CpuOffline(int Cpu);

/// <summary>
/// Published on the event stream after each hotplug callback, so a test or a console can see the
/// state machine step by step (also the rollbacks).
/// </summary>
/// <param name="Cpu">The CPU the callback ran for.</param>
/// <param name="State">The state id.</param>
/// <param name="Name">The state's name.</param>
/// <param name="Startup">True for a startup, false for a teardown.</param>
/// <param name="Result">What the callback returned: 0, an error, -EFAULT if it threw, -ETIMEDOUT past callback-timeout.</param>
public sealed record HotplugStep(int Cpu, int State, string Name, bool Startup, int Result);

/// <summary>An installed hotplug state: its startups run in id order as a CPU comes up, teardowns in reverse.</summary>
/// <param name="Id">The id <see cref="Cpus.SetupStateAsync"/> returned; 0 is the built-in smpboot state.</param>
/// <param name="Name">Its name.</param>
public sealed record HotplugState(int Id, string Name);
