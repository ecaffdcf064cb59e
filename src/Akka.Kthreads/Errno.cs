namespace Akka.Kthreads;

/// <summary>
/// The kernel's error numbers, as positive constants: replies carry them negated (<c>-Errno.EINTR</c>),
/// exactly where the kernel returns a negative int.
/// </summary>
public static class Errno
{
    /// <summary>No such file or directory: stop_one_cpu on a CPU that is offline (its stopper is not running).</summary>
    public const int ENOENT = 2;

    /// <summary>No such process: the thread is gone (reaped, or never existed).</summary>
    public const int ESRCH = 3;

    /// <summary>Interrupted: a thread stopped before it was ever woken, or a creator that gave up.</summary>
    public const int EINTR = 4;

    /// <summary>Try again: a resource limit (threads-max) was reached.</summary>
    public const int EAGAIN = 11;

    /// <summary>Operation would block; the same value as <see cref="EAGAIN"/>, as in the kernel.</summary>
    public const int EWOULDBLOCK = EAGAIN;

    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;

    /// <summary>Bad address: a thread function that threw (an oops) exits with -EFAULT.</summary>
    public const int EFAULT = 14;

    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;

    /// <summary>File exists: a per-CPU thread spec registered twice.</summary>
    public const int EEXIST = 17;

    /// <summary>No such device.</summary>
    public const int ENODEV = 19;

    /// <summary>Invalid argument, or an operation not allowed in the thread's state (bind of a woken thread).</summary>
    public const int EINVAL = 22;

    /// <summary>Resource deadlock would occur: a hotplug operation asked from inside a hotplug callback.</summary>
    public const int EDEADLK = 35;

    /// <summary>Function not implemented: park of a thread that has exited.</summary>
    public const int ENOSYS = 38;

    /// <summary>Message too long: a cluster message or payload above kthreads.cluster.max-payload-size.</summary>
    public const int EMSGSIZE = 90;

    /// <summary>Timed out: a library wait (stop, park) ran past its configured timeout.</summary>
    public const int ETIMEDOUT = 110;

    /// <summary>Operation cancelled.</summary>
    public const int ECANCELED = 125;
}
