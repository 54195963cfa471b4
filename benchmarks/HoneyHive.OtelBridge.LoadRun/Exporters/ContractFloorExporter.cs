// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using OpenTelemetry;

namespace HoneyHive.OtelBridge.LoadRun.Exporters;

/// <summary>
/// The exporters phase's floor (<c>--exporter-app http-floor</c>): the HTTP requests the mapping contract needs
/// (<see cref="ContractFloorRequests"/>) and nothing else, one request at a time on the export thread (no concurrency to
/// pay for): no mapping, no encoding, no assembly, no queue. Whatever this costs the app, an exporter that keeps the
/// contract through <see cref="HttpClient"/> costs at least as much; it is not an exporter anyone should use.
/// </summary>
internal sealed class ContractFloorExporter : BaseExporter<Activity>
{
    private readonly ContractFloorRequests requests;
    private int pending;

    /// <summary>Initializes a new instance of the <see cref="ContractFloorExporter"/> class.</summary>
    /// <param name="endpoint">The API's base address.</param>
    public ContractFloorExporter(Uri endpoint)
    {
        this.requests = new ContractFloorRequests(endpoint);
    }

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Activity> batch)
    {
        try
        {
            foreach (var activity in batch)
            {
                if (activity.ParentSpanId == default)
                {
                    this.requests.PostSession();
                }
                else if (++this.pending == ContractFloorRequests.BatchEvents)
                {
                    this.requests.PostEvents(this.pending);
                    this.pending = 0;
                }
            }

            return ExportResult.Success;
        }
        catch (HttpRequestException)
        {
            return ExportResult.Failure;
        }
    }

    /// <inheritdoc/>
    protected override bool OnForceFlush(int timeoutMilliseconds)
    {
        if (this.pending > 0)
        {
            this.requests.PostEvents(this.pending);
            this.pending = 0;
        }

        return true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            this.requests.Dispose();
        }

        base.Dispose(disposing);
    }
}
