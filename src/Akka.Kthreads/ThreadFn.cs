namespace Akka.Kthreads;

/// <summary>
/// A kthread's function (<c>threadfn</c>): runs until it returns its exit code, which a later
/// <see cref="Kthread.StopAsync"/> receives.
/// </summary>
/// <param name="current">The running thread, as the kernel's <c>current</c>.</param>
/// <returns>The exit code: 0 or a negative errno.</returns>
public delegate Task<int> ThreadFn(KthreadContext current);
