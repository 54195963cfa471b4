// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using HoneyHive.OtelBridge;
using HoneyHive.OtelBridge.Implementation.Exporter;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OpenTelemetry.Trace;

/// <summary>Extension methods that add the HoneyHive exporter to a <see cref="TracerProviderBuilder"/>.</summary>
public static class HoneyHiveExporterHelperExtensions
{
    /// <summary>Adds the HoneyHive exporter, configured from the <c>HoneyHive</c> configuration section and the
    /// <c>HH_*</c> environment variables.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder, to chain calls.</returns>
    public static TracerProviderBuilder AddHoneyHiveExporter(this TracerProviderBuilder builder)
        => AddHoneyHiveExporter(builder, name: null, configure: null);

    /// <summary>Adds the HoneyHive exporter.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the <see cref="HoneyHiveExporterOptions"/>; values set here win.</param>
    /// <returns>The builder, to chain calls.</returns>
    public static TracerProviderBuilder AddHoneyHiveExporter(this TracerProviderBuilder builder, Action<HoneyHiveExporterOptions> configure)
        => AddHoneyHiveExporter(builder, name: null, configure);

    /// <summary>Adds the HoneyHive exporter with named options (several exporters, each with its own settings).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The name of the options; <see langword="null"/> means <see cref="Options.DefaultName"/>.</param>
    /// <param name="configure">Configures the <see cref="HoneyHiveExporterOptions"/>; values set here win.</param>
    /// <returns>The builder, to chain calls.</returns>
    public static TracerProviderBuilder AddHoneyHiveExporter(
        this TracerProviderBuilder builder,
        string? name,
        Action<HoneyHiveExporterOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);

        name ??= Options.DefaultName;

        builder.ConfigureServices(services =>
        {
            services.AddOptions();
            if (configure is not null)
            {
                services.Configure(name, configure);
            }

            services.TryAddSingleton<IOptionsFactory<HoneyHiveExporterOptions>, HoneyHiveExporterOptionsFactory>();
        });

        return builder.AddProcessor(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<HoneyHiveExporterOptions>>().Get(name);
            return BuildProcessor(options, sp);
        });
    }

    private static BaseProcessor<Activity> BuildProcessor(HoneyHiveExporterOptions options, IServiceProvider serviceProvider)
    {
        // Fail fast, before any client is made, when the options cannot work.
        options.Validate();

        Func<HttpClient>? httpClientFactory = null;
        if (ReferenceEquals(options.HttpClientFactory, HoneyHiveExporterOptions.DefaultHttpClientFactory)
            && serviceProvider.GetService<IHttpClientFactory>() is { } factory)
        {
            httpClientFactory = () => factory.CreateClient(HoneyHiveExporterOptions.HttpClientName);
        }

        var exporter = new HoneyHiveExporter(options, httpClientFactory);
        if (options.ExportProcessorType == ExportProcessorType.Simple)
        {
            return new SimpleActivityExportProcessor(exporter);
        }

        var batch = options.BatchExportProcessorOptions;
        return new FlushingBatchActivityExportProcessor(
            exporter,
            batch.MaxQueueSize,
            batch.ScheduledDelayMilliseconds,
            batch.ExporterTimeoutMilliseconds,
            batch.MaxExportBatchSize);
    }
}
