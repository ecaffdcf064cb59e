using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using Akka.Kthreads.Cli.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>--seeds host:port,...</c>: kps cluster nodes to join (kps node) or to ask (kps cpus, kps ps).</summary>
internal static class SeedsOption
{
    public static Option<IReadOnlyList<Seed>?> Create(string description) => new("--seeds")
    {
        Description = description,
        HelpName = "host:port,...",
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            var seeds = new List<Seed>();
            foreach (var part in token.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = part.LastIndexOf(':');
                if (colon <= 0
                    || !int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                    || port is < 1 or > 65535)
                {
                    result.AddError($"--seeds needs host:port[,host:port...], not '{part}'");
                    return null;
                }

                seeds.Add(new Seed(part[..colon], port));
            }

            if (seeds.Count == 0)
            {
                result.AddError("--seeds needs at least one host:port");
                return null;
            }

            return seeds;
        },
    };
}

/// <summary>One seed node: the host and port of a kps node, whose system is always "kthreads".</summary>
internal sealed record Seed(string Host, int Port)
{
    /// <summary>akka.tcp://kthreads@host:port.</summary>
    public Address Address => new("akka.tcp", ClusterConfig.SystemName, Host, Port);

    public override string ToString() => $"{Host}:{Port}";
}
