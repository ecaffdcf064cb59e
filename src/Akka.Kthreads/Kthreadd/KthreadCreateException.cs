namespace Akka.Kthreads;

/// <summary>kthreadd refused a create (the kernel's <c>ERR_PTR(-errno)</c> from kthread_create).</summary>
public sealed class KthreadCreateException : Exception
{
    /// <summary>Carries kthreadd's errno and reason.</summary>
    /// <param name="errno">The negative errno from <see cref="KthreaddProtocol.CreateFailed"/>.</param>
    /// <param name="reason">What was wrong.</param>
    public KthreadCreateException(int errno, string reason)
        : base($"kthread_create failed ({errno}): {reason}") => Errno = errno;

    /// <summary>The negative errno: -EAGAIN past max-threads, -EINVAL for bad arguments.</summary>
    public int Errno { get; }
}
