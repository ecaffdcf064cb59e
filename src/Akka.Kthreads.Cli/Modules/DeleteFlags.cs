namespace Akka.Kthreads.Cli.Modules;

/// <summary>
/// sys_delete_module()'s flags. rmmod passes open(2) flags, so the values are those of Linux's
/// asm-generic/fcntl.h, and a caller porting kernel code reads the same numbers.
/// </summary>
internal static class DeleteFlags
{
    /// <summary>O_NONBLOCK (04000 octal): refuse with -EWOULDBLOCK rather than wait while the module is in use.</summary>
    public const int O_NONBLOCK = 0x800;

    /// <summary>O_TRUNC (01000 octal), rmmod -f: with O_NONBLOCK, unload a module in use anyway and taint.</summary>
    public const int O_TRUNC = 0x200;
}
