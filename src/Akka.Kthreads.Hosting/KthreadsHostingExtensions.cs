using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Kthreads.Cluster;
using Akka.Persistence.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// Akka.Hosting for Kthreads: <c>builder.WithKthreads(o =&gt; ...)</c> and <c>builder.WithKthreadsCluster(o =&gt; ...)</c> on an
/// AkkaConfigurationBuilder, and <c>services.AddKthreads()</c> so the facades resolve through DI.
/// </summary>
public static class KthreadsHostingExtensions
{
    // The keys kthreads-cluster.conf sets under akka.cluster.sharding, with its values.
    private static readonly Lazy<Config> ShardingKeys = new(() =>
    {
        var sharding = ClusterKthreads.DefaultConfig().GetConfig("akka.cluster.sharding");
        var keys = sharding.GetStringList("distributed-data.durable.keys").Select(k => Hocon.Quote(k));
        return ConfigurationFactory.ParseString(string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""
            akka.cluster.sharding {
              remember-entities = {{(sharding.GetBoolean("remember-entities") ? "on" : "off")}}
              remember-entities-store = {{sharding.GetString("remember-entities-store")}}
              state-store-mode = {{sharding.GetString("state-store-mode")}}
              distributed-data.durable.keys = [{{string.Join(", ", keys)}}]
              least-shard-allocation-strategy {
                rebalance-absolute-limit = {{sharding.GetInt("least-shard-allocation-strategy.rebalance-absolute-limit")}}
                rebalance-relative-limit = {{sharding.GetDouble("least-shard-allocation-strategy.rebalance-relative-limit").ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}
              }
            }
            """));
    });

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
    /// <exception cref="InvalidOperationException">WithKthreads was already called on this builder.</exception>
    public static AkkaConfigurationBuilder WithKthreads(this AkkaConfigurationBuilder builder, KthreadsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rendered = ConfigurationFactory.ParseString(options.ToString());

        // The cross-key rules (ask-timeout above stop- and park-timeout, ...) are the settings' own: checked now, not later.
        KthreadsSettings.FromConfig(rendered.WithFallback(Kthreads.DefaultConfig()).GetConfig("kthreads"));
        HostedKthreads.Declare(builder, options);
        builder.AddHocon(rendered, HoconAddMode.Prepend);
        builder.AddHocon(Kthreads.DefaultConfig(), HoconAddMode.Append);
        return builder;
    }

    /// <summary>
    /// Makes this node one of a Kthreads cluster: the cluster's CPUs are sharded entities (node join and leave are CPU
    /// hotplug), their store is Akka.Persistence.Sql, and remoting and clustering come from the options when set there.
    /// Combine it with <c>WithKthreads</c> for the node's own options and threads, in either order.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A bad option or an unknown provider, named, at host start.</exception>
    public static AkkaConfigurationBuilder WithKthreadsCluster(this AkkaConfigurationBuilder builder, Action<ClusterKthreadsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ClusterKthreadsOptions();
        configure(options);
        return builder.WithKthreadsCluster(options);
    }

    /// <summary>Makes this node one of a Kthreads cluster from <paramref name="options"/>; see the other overload.</summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">A bad option or an unknown provider, named, at host start.</exception>
    /// <exception cref="InvalidOperationException">WithKthreadsCluster was already called on this builder.</exception>
    public static AkkaConfigurationBuilder WithKthreadsCluster(this AkkaConfigurationBuilder builder, ClusterKthreadsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var rendered = ConfigurationFactory.ParseString(options.ToString());
        ClusterKthreadsSettings.FromConfig(rendered.WithFallback(ClusterKthreads.DefaultConfig()).GetConfig("kthreads.cluster"));
        HostedKthreads.Declare(builder, options);

        if (options.Remoting is not null)
        {
            builder.WithRemoting(options.Remoting);
        }

        if (options.Clustering is not null)
        {
            builder.WithClustering(options.Clustering);
        }

        if (options.ConnectionString is not null)
        {
            // Its own plugin id, not the default plugin: the app's own persistence (if any) is left as it is.
            builder.WithSqlPersistence(
                options.ConnectionString,
                options.ProviderName!,
                PersistenceMode.Both,
                pluginIdentifier: ClusterKthreadsOptions.StorePluginId,
                isDefaultPlugin: false);
        }

        // The CPUs' sharding keys (remember-entities in ddata, no durable ddata keys, the rebalance limits) ahead of
        // sharding's own defaults, which WithClustering appends whether it ran before this call or runs after it.
        builder.AddHocon(ShardingKeys.Value, HoconAddMode.Prepend);
        if (options.Cpus is null && builder.Configuration is { HasValue: true } soFar && soFar.Value.GetInt("kthreads.cluster.cpus", 0) == 0)
        {
            // kthreads.conf's cluster.cpus = 0 (a single node), appended by a WithKthreads called first, would rank above
            // the cluster's default: set the default in its place, so the two calls go in either order. A count set
            // before (WithKthreads' ClusterCpus, the app's own HOCON) is left as it is.
            builder.AddHocon(ConfigurationFactory.ParseString(
                $"kthreads.cluster.cpus = {ClusterKthreads.DefaultConfig().GetInt("kthreads.cluster.cpus")}"), HoconAddMode.Prepend);
        }

        builder.AddHocon(rendered, HoconAddMode.Prepend);

        // Sharding's defaults must be there before the node joins (ddata's serializer), and the library's binds its serializer.
        builder.AddHocon(ClusterKthreads.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(ClusterSharding.DefaultConfig(), HoconAddMode.Append);
        builder.AddHocon(Kthreads.DefaultConfig(), HoconAddMode.Append);
        return builder;
    }

    /// <summary>Makes <see cref="Kthreads"/> and, on a cluster node, <see cref="ClusterKthreads"/> resolvable through DI (the ActorSystem's own, made on first use).</summary>
    /// <param name="services">The host's services, where AddAkka registered the ActorSystem.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddKthreads(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // On a cluster node ClusterKthreads must come first, so that the node's CPUs are the cluster's.
        services.AddSingleton(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            return IsClusterNode(system) ? ClusterKthreads.Get(system).Kthreads : Kthreads.Get(system);
        });
        services.AddSingleton(sp =>
        {
            var system = sp.GetRequiredService<ActorSystem>();
            return IsClusterNode(system)
                ? ClusterKthreads.Get(system)
                : throw new InvalidOperationException("ClusterKthreads needs a cluster node: call builder.WithKthreadsCluster(...) (or set akka.actor.provider = cluster and kthreads.cluster.cpus)");
        });
        return services;
    }

    private static bool IsClusterNode(ActorSystem system) =>
        system is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider }
        && system.Settings.Config.GetInt("kthreads.cluster.cpus", 0) > 0;
}
