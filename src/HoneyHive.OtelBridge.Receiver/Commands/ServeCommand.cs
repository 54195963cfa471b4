// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.Security.Cryptography;
using HoneyHive.OtelBridge.Implementation.Api;
using HoneyHive.OtelBridge.Implementation.Assembly;
using HoneyHive.OtelBridge.Implementation.Delivery;
using HoneyHive.OtelBridge.Implementation.Mapping;
using HoneyHive.OtelBridge.Implementation.Pipeline;
using HoneyHive.OtelBridge.LocalApi;
using HoneyHive.OtelBridge.Receiver.Hosting;
using HoneyHive.OtelBridge.Receiver.Otlp;
using HoneyHive.OtelBridge.Receiver.Security;
using Microsoft.Extensions.Logging;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// <c>honeyhive-bridge serve</c>: the OTLP receiver (gRPC 4317, HTTP 4318) in front of the bridge pipeline. With a key in
/// <c>HH_INGESTION_API_KEY</c>/<c>HH_PROJECT_API_KEY</c>/<c>HH_API_KEY</c> it sends to HoneyHive; with none, to the
/// built-in local API it starts in-process (the embedded default). Ctrl+C / SIGTERM stops the listeners, delivers what
/// is held (bounded wait) and exits.
/// </summary>
internal static class ServeCommand
{
    /// <summary>How long the command line waits for <c>serve</c> to exit after Ctrl+C / SIGTERM.</summary>
    internal static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var grpcPort = new Option<int>("--grpc-port")
        {
            Description = "OTLP/gRPC port (0 = ephemeral).",
            DefaultValueFactory = _ => OtlpReceiverOptions.DefaultGrpcPort,
        };
        var httpPort = new Option<int>("--http-port")
        {
            Description = "OTLP/HTTP port (0 = ephemeral).",
            DefaultValueFactory = _ => OtlpReceiverOptions.DefaultHttpPort,
        };
        var listen = new Option<string>("--listen")
        {
            Description = "Address both ports bind; 0.0.0.0 in a container.",
            DefaultValueFactory = _ => OtlpReceiverOptions.DefaultListenAddress,
        };
        var apiUrl = new Option<Uri?>("--api-url")
        {
            Description = "HoneyHive API URL (default: $HH_DATA_PLANE_URL, else $HH_API_URL, else https://api.dp1.us.honeyhive.ai).",

            // System.CommandLine has no converter for Uri: parse it here, with a clear error.
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    return uri;
                }

                result.AddError($"--api-url must be an absolute http(s) URL, got '{text}'.");
                return null;
            },
        };
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "Data directory: the durable log (log/), its lock file, the embedded local API's database. One serve per directory.",
            DefaultValueFactory = _ => ServeSettings.DefaultDataDirectory(),
        };
        var rootWait = new Option<double>("--root-wait")
        {
            Description = "Seconds a trace's spans wait for its root span before its session is built from what is there.",
            DefaultValueFactory = _ => ServeSettings.DefaultRootWaitSeconds,
        };
        var localApiPort = new Option<int>("--local-api-port")
        {
            Description = "Port of the built-in local API, used when no API key is set (0 = ephemeral).",
            DefaultValueFactory = _ => LocalApiOptions.DefaultPort,
        };
        var maxRequest = new Option<int>("--max-request-mib")
        {
            Description = "Largest OTLP request accepted, in MiB after decompression.",
            DefaultValueFactory = _ => OtlpReceiverOptions.DefaultMaxRequestBytes / (1024 * 1024),
        };
        var maxConcurrentExports = new Option<int>("--max-concurrent-exports")
        {
            Description = "Most OTLP export requests (gRPC and HTTP together) worked on at once; one more is answered UNAVAILABLE / 503 unread (the client retries). Default: 32 a processor.",
            DefaultValueFactory = _ => OtlpReceiverOptions.DefaultMaxConcurrentExports,
        };
        var maxLogBytes = new Option<long>("--max-log-bytes")
        {
            Description = "Most bytes the durable log may take; when full, exports are answered UNAVAILABLE / 503 (the client retries).",
            DefaultValueFactory = _ => ServeSettings.DefaultMaxLogBytes,
        };
        var logFsync = new Option<bool>("--log-fsync")
        {
            Description = "Force every log append to the disk (survives power loss, not only a crash); slower.",
        };
        var maxConcurrentRequests = new Option<int>("--max-concurrent-requests")
        {
            Description = "Most requests to the HoneyHive API in flight at once (a session's calls still go one at a time, in order).",
            DefaultValueFactory = _ => ServeSettings.DefaultMaxConcurrentRequests,
        };
        var maxQueuedMib = new Option<int>("--max-queued-mib")
        {
            Description = "Most MiB of encoded events waiting for or in flight to the HoneyHive API; from 80 % of it exports are answered UNAVAILABLE / 503 (the client retries).",
            DefaultValueFactory = _ => (int)(HoneyHiveDeliveryOptions.DefaultMaxQueuedBytes / (1024 * 1024)),
        };
        var eventBatchDelay = new Option<double>("--event-batch-delay")
        {
            Description = "Seconds an event batch with room left waits for other sessions' events to join it (0 = send at once).",
            DefaultValueFactory = _ => HoneyHiveDeliveryOptions.DefaultEventBatchDelay.TotalSeconds,
        };
        var command = new Command("serve", "Receive OTLP traces (gRPC and HTTP) and send them to HoneyHive, or to the built-in local API when no key is set.")
        {
            grpcPort, httpPort, listen, apiUrl, dataDir, rootWait, localApiPort, maxRequest, maxConcurrentExports, maxLogBytes, logFsync, maxConcurrentRequests, maxQueuedMib, eventBatchDelay,
        };
        var security = ServeSecurityOptions.AddTo(command);
        var limits = ServeLimitOptions.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            ServeSettings settings;
            HoneyHiveConnectionSettings connection;
            try
            {
                var seconds = parseResult.GetValue(rootWait);
                ArgumentOutOfRangeException.ThrowIfNegative(seconds, "--root-wait");
                ArgumentOutOfRangeException.ThrowIfLessThan(parseResult.GetValue(maxRequest), 1, "--max-request-mib");
                ArgumentOutOfRangeException.ThrowIfLessThan(parseResult.GetValue(maxConcurrentExports), 1, "--max-concurrent-exports");
                ArgumentOutOfRangeException.ThrowIfLessThan(parseResult.GetValue(maxLogBytes), 1024, "--max-log-bytes");
                ArgumentOutOfRangeException.ThrowIfLessThan(parseResult.GetValue(maxConcurrentRequests), 1, "--max-concurrent-requests");
                ArgumentOutOfRangeException.ThrowIfLessThan(parseResult.GetValue(maxQueuedMib), 1, "--max-queued-mib");
                var delaySeconds = parseResult.GetValue(eventBatchDelay);
                ArgumentOutOfRangeException.ThrowIfNegative(delaySeconds, "--event-batch-delay");
                ArgumentOutOfRangeException.ThrowIfGreaterThan(delaySeconds, HoneyHiveDeliveryOptions.MaxEventBatchDelay.TotalSeconds, "--event-batch-delay");
                settings = new ServeSettings
                {
                    Receiver = new OtlpReceiverOptions
                    {
                        GrpcPort = parseResult.GetValue(grpcPort),
                        HttpPort = parseResult.GetValue(httpPort),
                        ListenAddress = parseResult.GetValue(listen)!,
                        MaxRequestBytes = checked(parseResult.GetValue(maxRequest) * 1024 * 1024),
                        MaxConcurrentExports = parseResult.GetValue(maxConcurrentExports),
                        Security = security.GetSecurity(parseResult),
                        Limits = limits.GetLimits(parseResult),
                    },
                    ApiUrl = parseResult.GetValue(apiUrl),
                    DataDirectory = parseResult.GetValue(dataDir)!,
                    RootWait = TimeSpan.FromSeconds(seconds),
                    LocalApiPort = parseResult.GetValue(localApiPort),
                    MaxLogBytes = parseResult.GetValue(maxLogBytes),
                    LogFsync = parseResult.GetValue(logFsync),
                };
                settings.Delivery.MaxConcurrency = parseResult.GetValue(maxConcurrentRequests);
                settings.Delivery.EventBatchDelay = TimeSpan.FromSeconds(delaySeconds);
                settings.Delivery.MaxQueuedBytes = parseResult.GetValue(maxQueuedMib) * 1024L * 1024;
                settings.Receiver.Validate();
                connection = new HoneyHiveConnectionSettings();
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException)
            {
                await error.WriteLineAsync("serve: " + ex.Message).ConfigureAwait(false);
                return CommandExitCodes.UsageError;
            }

            using var loggerFactory = CreateConsoleLoggerFactory();
            try
            {
                return await RunAsync(settings, connection, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            catch (DataDirectoryInUseException ex)
            {
                await error.WriteLineAsync("serve: " + ex.Message).ConfigureAwait(false);
                return CommandExitCodes.DataDirectoryInUse;
            }
        });
        return command;
    }

    /// <summary>Runs the receiver until <paramref name="cancellationToken"/> is cancelled, then delivers what is held.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="connection">Key and URL (from the environment); no key means the embedded local API.</param>
    /// <param name="loggerFactory">Where the log lines go (the first ones give the bound addresses).</param>
    /// <param name="cancellationToken">Cancelled by Ctrl+C / SIGTERM.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="DataDirectoryInUseException">Another <c>serve</c> holds the data directory.</exception>
    internal static async Task<int> RunAsync(ServeSettings settings, HoneyHiveConnectionSettings connection, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger(ReceiverLog.Category);
        if (settings.ApiUrl is not null)
        {
            connection.BaseUrl = settings.ApiUrl;
        }

        // First of all: two writers on one durable log would corrupt it.
        using var directoryLock = DataDirectoryLock.Acquire(settings.DataDirectory, ServeSettings.LockFileName);
        LocalHoneyHiveApi? localApi = null;
        try
        {
            if (!connection.HasApiKey)
            {
                localApi = await StartLocalApiAsync(settings, connection, loggerFactory, logger).ConfigureAwait(false);
            }
            else
            {
                ReceiverLog.Forwarding(logger, connection.BaseUrl);
            }

            using var httpClient = HoneyHiveApiClient.CreateDefaultHttpClient();
            var client = new HoneyHiveApiClient(httpClient, connection);
            using var pipeline = new BridgePipeline(client, new BridgePipelineOptions
            {
                Assembly = new TraceAssemblerOptions
                {
                    RootWait = settings.RootWait,
                    MaxHeldSpans = settings.Receiver.Limits.MaxHeldSpans,
                    MaxHeldSpansPerTrace = settings.Receiver.Limits.MaxHeldSpansPerTrace,
                    Mapping = new MappingOptions { MaxStringLength = settings.Receiver.Limits.MaxStringLength },
                },
                Delivery = settings.Delivery,
                DataDirectory = settings.LogDirectory,
                MaxLogBytes = settings.MaxLogBytes,
                LogSegmentBytes = settings.LogSegmentBytes,
                LogFsync = settings.LogFsync,
            });
            ReportLog(pipeline, settings, logger);
            var minWorkers = ServeThreadPool.Configure(settings.LogFsync);
            var hillClimbing = ServeThreadPool.IsHillClimbingDisabled() ? "off" : "on";
            ReceiverLog.ThreadPool(logger, minWorkers, hillClimbing);
            using var reporter = new DeliveredSessionReporter(pipeline.Delivery, logger);
            LogSecurity(settings, logger);
            // Started whatever the token says: a stop asked for while starting (Ctrl+C / SIGTERM) takes the same way out
            // as one asked for later, once listening (stop listening, deliver what is held, exit 0), not an exception.
            var host = await OtlpReceiverHost.StartAsync(settings.Receiver, new PipelineSpanIngress(pipeline), loggerFactory, CancellationToken.None).ConfigureAwait(false);
            await using (host.ConfigureAwait(false))
            {
                var grpcUrl = host.GrpcAddress.ToString();
                var httpUrl = new Uri(host.HttpAddress, OtlpReceiverOptions.TracesPath).ToString();
                ReceiverLog.Listening(logger, grpcUrl, httpUrl);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: stop taking requests, then deliver what is held.
                }

                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            ReceiverLog.ShuttingDown(logger, settings.ShutdownWait.TotalSeconds);
            if (!await pipeline.FlushAsync(settings.ShutdownWait).ConfigureAwait(false))
            {
                ReceiverLog.FlushIncomplete(logger, pipeline.Delivery.PendingCalls);
            }

            ReceiverLog.Stopped(logger, pipeline.Delivery.DeliveredCalls, pipeline.Delivery.DeliveredEvents);
            return CommandExitCodes.Success;
        }
        finally
        {
            if (localApi is not null)
            {
                await localApi.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Logs where the durable log is and, once the replay of what an earlier run left is done, what it
    /// replayed and any damage it skipped (a torn tail after a crash).</summary>
    private static void ReportLog(BridgePipeline pipeline, ServeSettings settings, ILogger logger)
    {
        var directory = Path.GetFullPath(settings.LogDirectory);
        var leftBytes = pipeline.LogBytes;
        ReceiverLog.DurableLog(logger, directory, settings.MaxLogBytes, settings.LogFsync, leftBytes);
        if (pipeline.Replay.IsCompleted && leftBytes == 0)
        {
            return;
        }

        _ = pipeline.Replay.ContinueWith(
            _ =>
            {
                if (pipeline.LogBytesSkipped > 0 || pipeline.LogDamagedSegments > 0)
                {
                    ReceiverLog.LogDamaged(logger, pipeline.LogDamagedSegments, pipeline.LogBytesSkipped, directory);
                }

                ReceiverLog.LogReplayed(logger, pipeline.ReplayedRecords, pipeline.ReplayedSpans);
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static void LogSecurity(ServeSettings settings, ILogger logger)
    {
        var security = settings.Receiver.Security;
        if (security.RequiresToken)
        {
            ReceiverLog.AuthenticationOn(logger, security.AuthTokens!.Count);
        }

        if (security.UsesTls)
        {
            using var certificate = ReceiverCertificate.Load(security.TlsCertificatePath!, security.TlsKeyPath!);
            var notAfter = certificate.NotAfter.ToUniversalTime();
            ReceiverLog.TlsOn(logger, certificate.Subject, notAfter);
        }
    }

    internal static ILoggerFactory CreateConsoleLoggerFactory() => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        }));

    /// <summary>
    /// The embedded default: the local API on 127.0.0.1 with its SQLite file in the data directory and a random key
    /// only this process knows (writes need it). Reads (<c>GET /v1/…</c>) need no key because the API listens on
    /// loopback only, so the user can <c>curl</c> a session without a secret ever being printed.
    /// </summary>
    private static async Task<LocalHoneyHiveApi> StartLocalApiAsync(
        ServeSettings settings,
        HoneyHiveConnectionSettings connection,
        ILoggerFactory loggerFactory,
        ILogger logger)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        var databasePath = Path.GetFullPath(Path.Combine(settings.DataDirectory, ServeSettings.LocalApiDatabaseFile));
        var key = "local_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var api = await LocalHoneyHiveApi.StartAsync(
            new LocalApiOptions
            {
                Port = settings.LocalApiPort,
                ListenAddress = "127.0.0.1",
                DatabasePath = databasePath,
                ApiKey = key,
                AllowAnonymousLoopbackReads = true,
                LoggerFactory = loggerFactory,
            },
            CancellationToken.None).ConfigureAwait(false);
        connection.ApiKey = key;
        connection.BaseUrl = api.BaseAddress;
        var sessionUrl = new Uri(api.BaseAddress, "/v1/sessions/<session_id>").ToString();
        ReceiverLog.EmbeddedLocalApi(logger, api.BaseAddress, databasePath, sessionUrl);
        return api;
    }
}
