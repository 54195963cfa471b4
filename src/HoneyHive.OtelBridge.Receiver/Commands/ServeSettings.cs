// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Durability;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Hosting;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>What <c>honeyhive-bridge serve</c> was asked for (its flags; the key comes from the environment only).</summary>
internal sealed class ServeSettings
{
    /// <summary>The directory name of the default data directory, under the user's home.</summary>
    internal const string DataDirectoryName = ".honeyhive-bridge";

    /// <summary>The SQLite file of the embedded local API, under the data directory.</summary>
    internal const string LocalApiDatabaseFile = "local-api.db";

    /// <summary>The directory of the durable log, under the data directory.</summary>
    internal const string LogDirectoryName = "log";

    /// <summary>The lock file under the data directory, held open (no sharing) by the one <c>serve</c> using it.</summary>
    internal const string LockFileName = "serve.lock";

    /// <summary>The default cap of the durable log (1 GiB).</summary>
    internal const long DefaultMaxLogBytes = DurableLogOptions.DefaultMaxBytes;

    /// <summary>The default root wait (seconds), as the trace assembler's.</summary>
    internal const double DefaultRootWaitSeconds = 30;

    /// <summary>Gets the receiver's ports, address and request limit.</summary>
    public OtlpReceiverOptions Receiver { get; init; } = new();

    /// <summary>Gets the HoneyHive API URL given on the command line (wins over <c>HH_DATA_PLANE_URL</c>/<c>HH_API_URL</c>).</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>Gets the data directory (default <c>~/.honeyhive-bridge</c>): the durable log (<c>log/</c>), the lock
    /// file and the embedded local API's database live there.</summary>
    public string DataDirectory { get; init; } = DefaultDataDirectory();

    /// <summary>Gets the directory of the durable log (<c>log/</c> under <see cref="DataDirectory"/>).</summary>
    public string LogDirectory => Path.Combine(this.DataDirectory, LogDirectoryName);

    /// <summary>Gets the most bytes the durable log may take (default 1 GiB); when full, exports are refused with
    /// UNAVAILABLE / 503 until delivery frees space.</summary>
    public long MaxLogBytes { get; init; } = DefaultMaxLogBytes;

    /// <summary>Gets the size of one log segment: space comes back a segment at a time, so a small cap gets small
    /// segments (an eighth of the cap, at most 16 MiB).</summary>
    public long LogSegmentBytes => Math.Clamp(this.MaxLogBytes / 8, 64, DurableLogOptions.DefaultSegmentBytes);

    /// <summary>Gets a value indicating whether every append to the log is forced to the disk (default
    /// <see langword="false"/>: flushed to the operating system, which survives the process being killed).</summary>
    public bool LogFsync { get; init; }

    /// <summary>Gets how long a trace's spans wait for its root span (default 30 s).</summary>
    public TimeSpan RootWait { get; init; } = TimeSpan.FromSeconds(DefaultRootWaitSeconds);

    /// <summary>Gets the port of the embedded local API (default 4319; 0 = ephemeral).</summary>
    public int LocalApiPort { get; init; } = LocalApiOptions.DefaultPort;

    /// <summary>Gets the longest wait on shutdown for what is held to be delivered (default 10 s).</summary>
    public TimeSpan ShutdownWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the delivery settings (tests shrink the queue). The receiver keeps accepted spans in its durable log, so
    /// it retries a retryable failure (429, 5xx, timeouts) far longer than the in-process exporter: up to
    /// <see cref="DefaultMaxAttempts"/> attempts within <see cref="DefaultMaxRetryDuration"/> (backoff 1 s doubling to
    /// 30 s, full jitter). Meanwhile the log fills and the front doors answer with backpressure.
    /// </summary>
    public HoneyHiveDeliveryOptions Delivery { get; init; } = new()
    {
        ShutdownTimeout = TimeSpan.FromSeconds(2),
        MaxConcurrency = DefaultMaxConcurrentRequests,
        MaxAttempts = DefaultMaxAttempts,
        MaxRetryDuration = DefaultMaxRetryDuration,
    };

    /// <summary>Gets the requests to the API in flight at once by default (<c>--max-concurrent-requests</c>).</summary>
    /// <remarks>A receiver is a gateway for many services, and delivery is bound by the API's round trip: a session
    /// per trace, created before its events, so requests in flight ÷ round trip is the ceiling. Against a sink that
    /// answers after 50 ms, as a hosted API a continent away does (issue 7, tenth pass, <c>--sink-latency 50</c>), 16
    /// delivered 1,770 spans/s with the machine 67 % idle, 64 delivered 6,900. Against the load run's sink that answers
    /// at once, 64 and 16 sustain the same (eleventh pass, alternated: 38,872 and 30,504 against 30,954 spans/s). 64
    /// waited for <see cref="OtlpReceiverOptions.MaxConcurrentExports"/>: with delivery keeping up, only that limit
    /// refuses requests under overload (the tenth pass's 10× overload with 64 and no such limit got no
    /// <c>UNAVAILABLE</c> at all). The Collector's <c>sending_queue.num_consumers</c> default is 10, but each of its
    /// requests carries a whole batch.</remarks>
    internal static int DefaultMaxConcurrentRequests => 64;

    /// <summary>Gets the receiver's attempts per call before a retryable failure is given up (counted and logged).</summary>
    internal static int DefaultMaxAttempts => 30;

    /// <summary>Gets the receiver's longest retry of one call: 15 minutes.</summary>
    internal static TimeSpan DefaultMaxRetryDuration => TimeSpan.FromMinutes(15);

    internal static string DefaultDataDirectory()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Directory.GetCurrentDirectory() : home, DataDirectoryName);
    }
}
