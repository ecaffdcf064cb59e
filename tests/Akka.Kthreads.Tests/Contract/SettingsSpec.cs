using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Contract;

/// <summary>
/// The reference config (hocon/kthreads.conf) and <see cref="KthreadsSettings"/>: defaults, every key
/// read, bad values refused with the key named, and the extension's one instance per system.
/// </summary>
public sealed class SettingsSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly Regex Duration = new(@"^\d+\s*(ns|us|ms|s|m|h|d|nanos?|micros?|millis?|seconds?|minutes?|hours?|days?)$",
        RegexOptions.CultureInvariant);

    private static readonly string[] Booleans = ["on", "off", "true", "false", "yes", "no"];

    private static readonly Dictionary<string, string> CompleteSection = new(StringComparer.Ordinal)
    {
        ["kthreadd-name"] = "\"kthreadd\"",
        ["ask-timeout"] = "30s",
        ["max-threads"] = "10",
        ["strict-transitions"] = "off",
        ["kthread.stop-timeout"] = "20s",
        ["kthread.park-timeout"] = "20s",
        ["cpus.possible"] = "2",
        ["cpus.idle-poll"] = "50micros",
        ["cpus.idle-poll-max"] = "200micros",
        ["cluster.cpus"] = "0",
        ["kthreadd.reaped-history"] = "1024",
        ["worker.flush-timeout"] = "10s",
        ["stop-machine.timeout"] = "10s",
        ["hotplug.callback-timeout"] = "10s",
        ["watchdog.soft-lockup-threshold"] = "20s",
        ["watchdog.hung-task-timeout"] = "120s",
        ["watchdog.hung-task-check-interval"] = "0s",
    };

    /// <summary>Every leaf key of the embedded reference config, as a full path ("kthreads.cpus.possible").</summary>
    public static TheoryData<string> ReferenceKeys()
    {
        var keys = new TheoryData<string>();
        foreach (var key in KeyList())
        {
            keys.Add(key);
        }

        return keys;
    }

    private static string[] KeyList() =>
        Leaves(Kthreads.DefaultConfig().Root, string.Empty).Select(leaf => leaf.Path).ToArray();

    [Fact]
    public void The_reference_config_reads_into_the_documented_defaults()
    {
        var settings = KthreadsSettings.FromConfig(Kthreads.DefaultConfig().GetConfig("kthreads"));

        Assert.Equal("kthreadd", settings.KthreaddName);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.AskTimeout);
        Assert.Equal(4194304, settings.MaxThreads);
        Assert.False(settings.StrictTransitions);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.StopTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.StopMachineTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.HotplugCallbackTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.ParkTimeout);
        Assert.Equal(Environment.ProcessorCount, settings.PossibleCpus);
        Assert.Equal(1024, settings.ReapedHistory);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.WorkerFlushTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.SoftLockupThreshold);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.HungTaskTimeout);
        Assert.Equal(TimeSpan.Zero, settings.HungTaskCheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.HungTaskScanEvery);
        Assert.Equal(TimeSpan.FromMicroseconds(50), settings.IdlePoll);

        // kthreads.conf: keep ask-timeout above stop- and park-timeout, so a slow stop is -ETIMEDOUT, not a TimeoutException.
        Assert.True(settings.AskTimeout > settings.StopTimeout, "ask-timeout must be above kthread.stop-timeout");
        Assert.True(settings.AskTimeout > settings.ParkTimeout, "ask-timeout must be above kthread.park-timeout");
    }

    [Fact]
    public void The_reference_config_has_only_the_kthreads_section_and_its_keys()
    {
        var keys = KeyList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.StartsWith("kthreads.", key, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ReferenceKeys))]
    public void Every_reference_key_is_read_into_its_own_settings_field(string key)
    {
        var baseline = KthreadsSettings.FromConfig(Kthreads.DefaultConfig().GetConfig("kthreads"));
        var value = DistinctValue(key);
        var changed = ChangedFields(baseline, Override(key, value));

        // A key nothing reads changes nothing; a key read into the wrong field names another field.
        Assert.True(changed.Length == 1,
            $"{key} = {value} changed {(changed.Length == 0 ? "no field" : string.Join(", ", changed))} of KthreadsSettings: each key must feed exactly one field");
        Assert.Contains(changed[0], FieldNamesFor(key));
    }

    [Fact]
    public void Every_settings_field_is_fed_by_a_reference_key()
    {
        var baseline = KthreadsSettings.FromConfig(Kthreads.DefaultConfig().GetConfig("kthreads"));
        var fed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in KeyList())
        {
            fed.UnionWith(ChangedFields(baseline, Override(key, DistinctValue(key))));
        }

        // Every timeout and size lives in kthreads.conf (DESIGN §8): no field is a hidden constant.
        Assert.Equal(SettingsFields().Select(p => p.Name).Order(StringComparer.Ordinal), fed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Soft_lockup_threshold_zero_turns_the_watchdog_off_without_an_error()
    {
        var settings = Read("kthreads.watchdog.soft-lockup-threshold = 0s");

        Assert.Equal(TimeSpan.Zero, settings.SoftLockupThreshold);
    }

    [Fact]
    public void Cpus_idle_poll_reads_microseconds_and_zero_sleeps_at_once_without_an_error()
    {
        Assert.Equal(TimeSpan.FromMicroseconds(200), Read("kthreads.cpus.idle-poll = 200micros").IdlePoll);
        Assert.Equal(TimeSpan.Zero, Read("kthreads.cpus.idle-poll = 0").IdlePoll);
        Assert.Equal(TimeSpan.FromMicroseconds(200), Read("").IdlePollMax);
        Assert.Equal(TimeSpan.FromMilliseconds(1), Read("kthreads.cpus.idle-poll-max = 1ms").IdlePollMax);
    }

    [Fact]
    public void Cpus_possible_zero_means_the_processor_count()
    {
        var settings = Read("kthreads.cpus.possible = 0");

        Assert.Equal(Environment.ProcessorCount, settings.PossibleCpus);
    }

    [Theory]
    [InlineData("kthreads.cpus.possible = -1", "kthreads.cpus.possible")]
    [InlineData("kthreads.ask-timeout = 0s", "kthreads.ask-timeout")]
    [InlineData("kthreads.ask-timeout = -5s", "kthreads.ask-timeout")]
    [InlineData("kthreads.kthread.stop-timeout = 0s", "kthreads.kthread.stop-timeout")]
    [InlineData("kthreads.kthread.stop-timeout = -1s", "kthreads.kthread.stop-timeout")]
    [InlineData("kthreads.kthread.park-timeout = 0ms", "kthreads.kthread.park-timeout")]
    [InlineData("kthreads.kthread.park-timeout = -20s", "kthreads.kthread.park-timeout")]
    [InlineData("kthreads.max-threads = 0", "kthreads.max-threads")]
    [InlineData("kthreads.max-threads = -3", "kthreads.max-threads")]
    [InlineData("kthreads.kthreadd.reaped-history = -1", "kthreads.kthreadd.reaped-history")]
    [InlineData("kthreads.worker.flush-timeout = 0s", "kthreads.worker.flush-timeout")]
    [InlineData("kthreads.worker.flush-timeout = 30s", "kthreads.worker.flush-timeout")]
    [InlineData("kthreads.ask-timeout = 20s", "kthreads.ask-timeout")]
    [InlineData("kthreads.stop-machine.timeout = 0s", "kthreads.stop-machine.timeout")]
    [InlineData("kthreads.hotplug.callback-timeout = -1s", "kthreads.hotplug.callback-timeout")]
    [InlineData("kthreads.kthread.park-timeout = 40s", "kthreads.kthread.park-timeout")]
    [InlineData("kthreads.kthread.stop-timeout = 30s", "kthreads.kthread.stop-timeout")]
    [InlineData("kthreads.watchdog.soft-lockup-threshold = -1s", "kthreads.watchdog.soft-lockup-threshold")]
    [InlineData("kthreads.watchdog.hung-task-timeout = -1s", "kthreads.watchdog.hung-task-timeout")]
    [InlineData("kthreads.watchdog.hung-task-check-interval = -5s", "kthreads.watchdog.hung-task-check-interval")]
    [InlineData("kthreads.cpus.idle-poll = -1micros", "kthreads.cpus.idle-poll")]
    [InlineData("kthreads.cpus.idle-poll-max = -1micros", "kthreads.cpus.idle-poll-max")]
    [InlineData("kthreads.kthreadd-name = \"\"", "kthreads.kthreadd-name")]
    [InlineData("kthreads.kthreadd-name = \"   \"", "kthreads.kthreadd-name")]
    public void A_bad_value_throws_a_ConfigurationException_naming_the_key(string hocon, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read(hocon));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kthreads.max-threads = lots", "kthreads.max-threads")]
    [InlineData("kthreads.max-threads = 99999999999", "kthreads.max-threads")]
    [InlineData("kthreads.cpus.possible = many", "kthreads.cpus.possible")]
    [InlineData("kthreads.strict-transitions = maybe", "kthreads.strict-transitions")]
    [InlineData("kthreads.ask-timeout = soon", "kthreads.ask-timeout")]
    [InlineData("kthreads.kthread.stop-timeout = infinite", "kthreads.kthread.stop-timeout")]
    [InlineData("kthreads.watchdog.soft-lockup-threshold = never", "kthreads.watchdog.soft-lockup-threshold")]
    [InlineData("kthreads.watchdog.hung-task-timeout = soon", "kthreads.watchdog.hung-task-timeout")]
    public void A_value_that_does_not_parse_throws_a_ConfigurationException_naming_the_key(string hocon, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read(hocon));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ask-timeout")]
    [InlineData("kthread.stop-timeout")]
    [InlineData("kthread.park-timeout")]
    [InlineData("worker.flush-timeout")]
    [InlineData("stop-machine.timeout")]
    [InlineData("hotplug.callback-timeout")]
    [InlineData("watchdog.soft-lockup-threshold")]
    [InlineData("watchdog.hung-task-timeout")]
    [InlineData("watchdog.hung-task-check-interval")]
    public void A_missing_timeout_throws_a_ConfigurationException_naming_the_key(string key)
    {
        // The whole section by hand, without the key and without the reference fallback.
        var hocon = string.Join("\n", CompleteSection.Where(kv => kv.Key != key).Select(kv => $"{kv.Key} = {kv.Value}"));
        var without = ConfigurationFactory.ParseString(hocon);
        Assert.False(without.HasPath(key));
        Assert.NotNull(KthreadsSettings.FromConfig(ConfigurationFactory.ParseString(
            string.Join("\n", CompleteSection.Select(kv => $"{kv.Key} = {kv.Value}")))));

        var e = Assert.Throws<ConfigurationException>(() => KthreadsSettings.FromConfig(without));

        Assert.Contains("kthreads." + key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_section_throws_a_ConfigurationException_naming_it()
    {
        var noSection = ConfigurationFactory.ParseString("akka.loglevel = INFO").GetConfig("kthreads");

        var missing = Assert.Throws<ConfigurationException>(() => KthreadsSettings.FromConfig(noSection));
        var empty = Assert.Throws<ConfigurationException>(() => KthreadsSettings.FromConfig(ConfigurationFactory.Empty));
        var none = Assert.Throws<ConfigurationException>(() => KthreadsSettings.FromConfig(null!));

        Assert.All(new[] { missing, empty, none }, e => Assert.Contains("kthreads", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void With_copies_change_one_field_and_leave_the_original_alone()
    {
        var original = KthreadsSettings.FromConfig(Kthreads.DefaultConfig().GetConfig("kthreads"));

        var copy = original with { AskTimeout = TimeSpan.FromSeconds(3), MaxThreads = 7 };
        var same = original with { };

        Assert.Equal(TimeSpan.FromSeconds(3), copy.AskTimeout);
        Assert.Equal(7, copy.MaxThreads);
        Assert.Equal(TimeSpan.FromSeconds(30), original.AskTimeout);
        Assert.Equal(4194304, original.MaxThreads);
        Assert.Equal(["AskTimeout", "MaxThreads"], ChangedFields(original, copy).Order(StringComparer.Ordinal));
        Assert.Equal(original, same);
        Assert.NotSame(original, same);
        Assert.NotEqual(original, copy);
    }

    [Fact]
    public void The_extension_reads_the_systems_config()
    {
        var settings = Kthreads.Settings;

        // SpecBase's config over the reference defaults.
        Assert.Equal(KthreadsSettings.FromConfig(SpecConfig.GetConfig("kthreads")), settings);
        Assert.Equal(KthreadsSettings.Create(Sys), settings);
        Assert.True(settings.StrictTransitions);
        Assert.Equal(4, settings.PossibleCpus);
        Assert.Equal(SpecConfig.GetTimeSpan("kthreads.ask-timeout"), settings.AskTimeout);
        Assert.NotEqual(TimeSpan.FromSeconds(30), settings.AskTimeout);
    }

    [Fact]
    public async Task Get_returns_one_instance_per_system()
    {
        var gets = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => Kthreads.Get(Sys))));

        Assert.All(gets, k => Assert.Same(Kthreads, k));
        Assert.Same(Kthreads.Kthreadd, Kthreads.Get(Sys).Kthreadd);

        var other = ActorSystem.Create("settings-other-" + Guid.NewGuid().ToString("N"), "akka.loglevel = WARNING");
        try
        {
            Assert.NotSame(Kthreads, Kthreads.Get(other));
            Assert.Same(Kthreads.Get(other), Kthreads.Get(other));
            Assert.NotEqual(Kthreads.Kthreadd.Path.Address, Kthreads.Get(other).Kthreadd.Path.Address);
        }
        finally
        {
            await other.Terminate();
        }
    }

    [Fact]
    public async Task A_system_with_cpus_possible_3_has_CPUs_0_1_2_all_online()
    {
        // Only the one key: the extension itself falls back to the reference config.
        var system = ActorSystem.Create("settings-cpus-" + Guid.NewGuid().ToString("N"), """
            akka.loglevel = WARNING
            kthreads.cpus.possible = 3
            """);
        try
        {
            var kthreads = Kthreads.Get(system);

            Assert.Equal([0, 1, 2], kthreads.Cpus.Possible);
            Assert.Equal(kthreads.Cpus.Possible, kthreads.Cpus.Online);
            Assert.Equal(3, kthreads.Settings.PossibleCpus);
            Assert.Equal(TimeSpan.FromSeconds(30), kthreads.Settings.AskTimeout);
            Assert.True(kthreads.Cpus.IsPossible(2));
            Assert.False(kthreads.Cpus.IsPossible(3));
            Assert.False(kthreads.Cpus.IsPossible(-1));
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static IEnumerable<(string Path, HoconValue Value)> Leaves(HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return (prefix, value);
            yield break;
        }

        foreach (var (key, child) in value.GetObject().Items)
        {
            foreach (var leaf in Leaves(child, prefix.Length == 0 ? key : prefix + "." + key))
            {
                yield return leaf;
            }
        }
    }

    // A HOCON value for the key that differs from its reference default, chosen by the default's shape.
    private static string DistinctValue(string key)
    {
        var reference = Kthreads.DefaultConfig();
        var raw = reference.GetString(key, string.Empty).Trim();
        if (Booleans.Contains(raw, StringComparer.OrdinalIgnoreCase))
        {
            return reference.GetBoolean(key) ? "off" : "on";
        }

        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            var candidate = (number * 2) + 3;
            // cpus.possible = 0 reads as the processor count: never pick a value equal to it.
            if (candidate == Environment.ProcessorCount)
            {
                candidate++;
            }

            return candidate.ToString(CultureInfo.InvariantCulture);
        }

        if (Duration.IsMatch(raw))
        {
            var old = reference.GetTimeSpan(key, null, allowInfinite: false);
            return ((long)old.TotalMilliseconds + 1234).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        if (raw.Length > 0)
        {
            return "\"" + raw + "-x\"";
        }

        throw new InvalidOperationException($"SettingsSpec does not know how to vary {key} = '{raw}': teach DistinctValue its shape");
    }

    private static KthreadsSettings Override(string key, string value) => Read($"{key} = {value}");

    private static KthreadsSettings Read(string hocon) =>
        KthreadsSettings.FromConfig(ConfigurationFactory.ParseString(hocon)
            .WithFallback(Kthreads.DefaultConfig())
            .GetConfig("kthreads"));

    private static PropertyInfo[] SettingsFields() =>
        typeof(KthreadsSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private static string[] ChangedFields(KthreadsSettings a, KthreadsSettings b) =>
        SettingsFields().Where(p => !Equals(p.GetValue(a), p.GetValue(b))).Select(p => p.Name).ToArray();

    // "kthread.stop-timeout" is StopTimeout (last segment) or KthreadStopTimeout (whole path);
    // "cpus.possible" is PossibleCpus (segments reversed).
    private static string[] FieldNamesFor(string key)
    {
        var segments = key["kthreads.".Length..].Split('.');
        return
        [
            Pascal(segments[^1]),
            string.Concat(segments.Select(Pascal)),
            string.Concat(segments.Reverse().Select(Pascal)),
        ];
    }

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
