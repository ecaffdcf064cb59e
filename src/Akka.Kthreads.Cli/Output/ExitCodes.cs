using System.Globalization;

namespace Akka.Kthreads.Cli.Output;

/// <summary>Shows an exit code as the kernel's people read it: "-4 (-EINTR)", "42".</summary>
internal static class ExitCodes
{
    public static string Describe(int code)
    {
        var number = code.ToString(CultureInfo.InvariantCulture);
        return Name(-code) is { } name ? $"{number} (-{name})" : number;
    }

    /// <summary>A negative errno as a reply, "-ESRCH: no such thread"; other codes as <see cref="Describe"/>.</summary>
    /// <param name="code">The reply.</param>
    /// <param name="meaning">What the errno means for this operation, instead of the thread operations' usual words.</param>
    public static string Explain(int code, string? meaning = null) => Name(-code) is { } name
        ? $"-{name}: {meaning ?? Meaning(-code) ?? code.ToString(CultureInfo.InvariantCulture)}"
        : Describe(code);

    // What a thread operation's errno means to the one who asked for it.
    private static string? Meaning(int errno) => errno switch
    {
        Errno.ESRCH => "no such thread (it is gone, or its node is not a member)",
        Errno.ETIMEDOUT => "timed out (the thread's node, or the thread, did not answer in time)",
        Errno.EINVAL => "invalid argument (not a thread id)",
        Errno.EINTR => "interrupted",
        Errno.ENOSYS => "function not implemented (the thread has exited)",
        _ => null,
    };

    private static string? Name(int errno) => errno switch
    {
        Errno.ENOENT => nameof(Errno.ENOENT),
        Errno.ESRCH => nameof(Errno.ESRCH),
        Errno.EINTR => nameof(Errno.EINTR),
        Errno.EAGAIN => nameof(Errno.EAGAIN),
        Errno.ENOMEM => nameof(Errno.ENOMEM),
        Errno.EFAULT => nameof(Errno.EFAULT),
        Errno.EBUSY => nameof(Errno.EBUSY),
        Errno.EEXIST => nameof(Errno.EEXIST),
        Errno.ENODEV => nameof(Errno.ENODEV),
        Errno.EINVAL => nameof(Errno.EINVAL),
        Errno.EDEADLK => nameof(Errno.EDEADLK),
        Errno.ENOSYS => nameof(Errno.ENOSYS),
        Errno.ETIMEDOUT => nameof(Errno.ETIMEDOUT),
        Errno.ECANCELED => nameof(Errno.ECANCELED),
        _ => null,
    };
}
