using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// Akka.Hosting for Kthreads: <c>builder.WithKthreads(o => ...)</c> on an AkkaConfigurationBuilder, and
/// <c>services.AddKthreads()</c> so the facade resolves through DI.
/// </summary>
public static class KthreadsHostingExtensions
{
    /// <summary>Configures Kthreads from options (only the set ones rendered, ahead of the reference config), starts the declared threads once the host has started, and stops every kthread in order when it stops.</summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A bad option, named, at host start.</exception>
    public static AkkaConfigurationBuilder WithKthreads(this AkkaConfigurationBuilder builder, Action<KthreadsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KthreadsOptions();
        configure(options);
        return builder.WithKthreads(options);
    }

    /// <summary>Configures Kthreads from <paramref name="options"/>; see the other overload.</summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A bad option, named, at host start.</exception>
    public static AkkaConfigurationBuilder WithKthreads(this AkkaConfigurationBuilder builder, KthreadsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rendered = ConfigurationFactory.ParseString(options.ToString());

        // The cross-key rules (ask-timeout above stop- and park-timeout, ...) are the settings' own: checked now, not later.
        KthreadsSettings.FromConfig(rendered.WithFallback(Kthreads.DefaultConfig()).GetConfig("kthreads"));
        builder.AddHocon(rendered, HoconAddMode.Prepend);
        builder.AddHocon(Kthreads.DefaultConfig(), HoconAddMode.Append);
        builder.AddStartup(async (system, registry) =>
        {
            var kthreads = Kthreads.Get(system);
            registry.Register<KthreaddKey>(kthreads.Kthreadd);
            var log = Logging.GetLogger(system, "kthreads-hosting");
            foreach (var spec in options.PerCpuThreads)
            {
                var result = await kthreads.PerCpuThreads.RegisterAsync(spec).ConfigureAwait(false);
                if (result != 0)
                {
                    log.Error("kthreads: per-CPU thread {0} could not be registered: {1}", spec.Comm, result);
                }
            }

            var shutdown = new HostShutdown(system, kthreads, options.PerCpuThreads.ToArray(), log);
            shutdown.Register();
            foreach (var name in options.Workers)
            {
                shutdown.Track(await kthreads.CreateWorkerAsync(name).ConfigureAwait(false));
            }

            foreach (var (name, fn, data) in options.Threads)
            {
                await kthreads.RunAsync(fn, data, name).ConfigureAwait(false);
            }
        });
        return builder;
    }

    /// <summary>Makes <see cref="Kthreads"/> resolvable through DI (the ActorSystem's one, made on first use).</summary>
    /// <param name="services">The host's services, where AddAkka registered the ActorSystem.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddKthreads(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(sp => Kthreads.Get(sp.GetRequiredService<ActorSystem>()));
        return services;
    }
}

/// <summary>The ActorRegistry key of kthreadd: <c>registry.Get&lt;KthreaddKey&gt;()</c> is kthreadd's actor.</summary>
public sealed class KthreaddKey
{
    private KthreaddKey()
    {
    }
}
