// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics.Tracing;
using System.Reflection;
using HoneyHive.OtelBridge.Implementation;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation;

[Collection("NonParallel")]
public sealed class HoneyHiveExporterEventSourceTests
{
    private const string SourceName = "OpenTelemetry-HoneyHive-Exporter";

    [Fact]
    public void EventSource_Name_IsTheOpenTelemetryPrefixedName()
    {
        // Act
        var name = EventSource.GetName(typeof(HoneyHiveExporterEventSource));

        // Assert
        Assert.Equal(SourceName, name);
        Assert.Equal(SourceName, HoneyHiveExporterEventSource.Log.Name);
    }

    [Fact]
    public void GenerateManifest_Strict_Succeeds()
    {
        // Arrange
        var type = typeof(HoneyHiveExporterEventSource);

        // Act
        var manifest = EventSource.GenerateManifest(type, type.Assembly.Location, EventManifestOptions.Strict);

        // Assert
        Assert.NotNull(manifest);
        Assert.Contains(SourceName, manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void EventMethods_Invoked_WriteTheirIdLevelAndEveryParameter()
    {
        // Arrange
        var methods = typeof(HoneyHiveExporterEventSource)
            .GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly)
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<EventAttribute>()))
            .Where(m => m.Attribute is not null)
            .OrderBy(m => m.Attribute!.EventId)
            .ToList();
        using var listener = new TestEventListener(SourceName);

        // Act & Assert
        Assert.Equal(Enumerable.Range(1, methods.Count), methods.Select(m => m.Attribute!.EventId));
        foreach (var (method, attribute) in methods)
        {
            var parameters = method.GetParameters();
            var arguments = parameters.Select(p => SampleValue(p.ParameterType)).ToArray();
            var before = listener.Events.Count;

            method.Invoke(HoneyHiveExporterEventSource.Log, arguments);

            var written = Assert.Single(listener.Events.Skip(before));
            Assert.Equal(attribute!.EventId, written.EventId);
            Assert.Equal(method.Name, written.EventName);
            Assert.Equal(attribute.Level, written.Level);
            Assert.Equal(parameters.Select(p => p.Name), written.PayloadNames);
            Assert.Equal(arguments, written.Payload);
        }
    }

    private static object SampleValue(Type type) =>
        type == typeof(string) ? (object)"text" :
        type == typeof(int) ? (object)7 :
        type == typeof(long) ? (object)9L :
        type == typeof(double) ? (object)1.5 :
        throw new NotSupportedException("Add a sample for " + type);
}
