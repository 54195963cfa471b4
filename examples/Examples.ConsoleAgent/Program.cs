// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Examples.ConsoleAgent;
using HoneyHive.OtelBridge.LocalApi;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

// With a HoneyHive key in the environment the trace goes to HoneyHive; without one it goes to the local
// HoneyHive-compatible API, started here in memory, and the stored session is printed.
const string LocalKey = "local-example-key";
string[] keyVariables = ["HH_INGESTION_API_KEY", "HH_PROJECT_API_KEY", "HH_API_KEY"];
var hasKey = keyVariables.Any(name => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name)));

LocalHoneyHiveApi? localApi = null;
if (!hasKey)
{
    localApi = await LocalHoneyHiveApi.StartAsync(new LocalApiOptions { Port = 0, ApiKey = LocalKey });
    Console.WriteLine($"No HoneyHive API key set ({string.Join(", ", keyVariables)}): sending to the local API at {localApi.BaseAddress}");
}

var conversationId = Guid.NewGuid().ToString();
using (var tracerProvider = Sdk.CreateTracerProviderBuilder()
    .ConfigureResource(resource => resource.AddService("Examples.ConsoleAgent"))
    .AddSource(WeatherAgent.SourceName)
    .AddHoneyHiveExporter(options =>
    {
        if (localApi is not null)
        {
            options.ApiKey = LocalKey;
            options.Endpoint = localApi.BaseAddress;
        }
    })
    .Build())
{
    var answer = await WeatherAgent.RunAsync(conversationId, "What's the weather in Paris?");
    Console.WriteLine($"Agent: {answer}");

    // Delivers everything before the process ends (disposing the provider would too).
    tracerProvider.ForceFlush(30_000);
}

if (localApi is null)
{
    Console.WriteLine($"Sent session {conversationId} to HoneyHive.");
    return 0;
}

await using (localApi)
{
    using var http = new HttpClient { BaseAddress = localApi.BaseAddress };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LocalKey);
    var stored = JsonNode.Parse(await http.GetStringAsync($"/v1/sessions/{conversationId}"))!;
    Console.WriteLine();
    Console.WriteLine("Stored session and event tree:");
    PrintTree(stored["session"]!.AsObject(), stored["events"]!.AsArray().Select(e => e!.AsObject()).ToList());
}

return 0;

static void PrintTree(JsonObject session, List<JsonObject> events)
{
    var children = events.ToLookup(e => (string?)e["parent_id"]);
    Print(session, 0);

    void Print(JsonObject node, int depth)
    {
        var duration = node["duration"]?.GetValue<double>() ?? 0;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{new string(' ', depth * 2)}{(string?)node["event_type"]} {(string?)node["event_name"]} ({duration:0} ms)"));
        foreach (var child in children[(string?)node["event_id"]].OrderBy(e => e["start_time"]!.GetValue<long>()))
        {
            Print(child, depth + 1);
        }
    }
}
