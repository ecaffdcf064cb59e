namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. An ExecutionContext with nothing of any caller's in it, captured on a thread started
/// without the flow, after <c>setup</c> set what it should hold. Made once per use, at its first need.
/// </summary>
internal static class FreshContext
{
    public static ExecutionContext Capture(Action? setup = null)
    {
        ExecutionContext? captured = null;
        using (ExecutionContext.SuppressFlow())
        {
            var thread = new Thread(() =>
            {
                setup?.Invoke();
                captured = ExecutionContext.Capture();
            });
            thread.Start();
            thread.Join();
        }

        return captured!;
    }
}
