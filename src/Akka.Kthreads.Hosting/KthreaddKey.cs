namespace Akka.Kthreads.Hosting;

/// <summary>The ActorRegistry key of kthreadd: <c>registry.Get&lt;KthreaddKey&gt;()</c> is kthreadd's actor.</summary>
public sealed class KthreaddKey
{
    private KthreaddKey()
    {
    }
}
