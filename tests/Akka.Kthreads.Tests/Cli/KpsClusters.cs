using Xunit;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// The specs that run kps clusters (in-process or as processes): alone, after the parallel specs, so
/// that failure detection (2 s of heartbeat pause) is not fooled by a loaded machine.
/// </summary>
[CollectionDefinition(nameof(KpsClusters), DisableParallelization = true)]
public sealed class KpsClusters;
