// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;

namespace HoneyHive.OtelBridge.Implementation.Exporter;

/// <summary>
/// Builds <see cref="HoneyHiveExporterOptions"/> from the service provider's <see cref="IConfiguration"/> (the
/// <c>HoneyHive</c> section, then the <c>HH_*</c> environment variables) and the SDK's batch processor options of
/// the same name, then applies the <c>Configure</c> callbacks (code wins).
/// </summary>
internal sealed class HoneyHiveExporterOptionsFactory : OptionsFactory<HoneyHiveExporterOptions>
{
    private readonly IConfiguration configuration;
    private readonly IOptionsMonitor<BatchExportActivityProcessorOptions> batchOptions;

    public HoneyHiveExporterOptionsFactory(
        IConfiguration configuration,
        IOptionsMonitor<BatchExportActivityProcessorOptions> batchOptions,
        IEnumerable<IConfigureOptions<HoneyHiveExporterOptions>> setups,
        IEnumerable<IPostConfigureOptions<HoneyHiveExporterOptions>> postConfigures,
        IEnumerable<IValidateOptions<HoneyHiveExporterOptions>> validations)
        : base(setups, postConfigures, validations)
    {
        this.configuration = configuration;
        this.batchOptions = batchOptions;
    }

    /// <inheritdoc/>
    protected override HoneyHiveExporterOptions CreateInstance(string name) =>
        new(this.configuration, this.batchOptions.Get(name));
}
