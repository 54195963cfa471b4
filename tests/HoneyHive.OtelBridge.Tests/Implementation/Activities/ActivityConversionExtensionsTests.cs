// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using HoneyHive.OtelBridge.Implementation.Activities;
using HoneyHive.OtelBridge.Implementation.Otlp;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Collector.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Common.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Resource.V1;
using HoneyHive.OtelBridge.Implementation.Otlp.Proto.Trace.V1;
using HoneyHive.OtelBridge.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Implementation.Spans;
using HoneyHive.OtelBridge.Tests.Shared;

namespace HoneyHive.OtelBridge.Tests.Implementation.Activities;

public sealed class ActivityConversionExtensionsTests
{
    private static readonly KeyValuePair<string, object?>[] Resource =
    [
        new("service.name", "chat-service"),
        new("service.instance.id", "i-1"),
        new("process.pid", 4242L),
    ];

    [Fact]
    public void ToSpanRecord_RealActivities_IdsParentNameKindTimesAndScope()
    {
        // Arrange
        using var capture = new ActivityCapture("1.2.3");
        Activity.Current = null;
        using (var root = capture.Source.StartActivity("agent run", ActivityKind.Server))
        using (var child = capture.Source.StartActivity("chat gpt-4o", ActivityKind.Client))
        {
            child!.DisplayName = "chat gpt-4o (renamed)";
        }

        var (rootActivity, childActivity) = (capture.Stopped[1], capture.Stopped[0]);

        // Act
        var rootRecord = rootActivity.ToSpanRecord(Resource);
        var childRecord = childActivity.ToSpanRecord(Resource);

        // Assert
        Assert.Equal(rootActivity.TraceId, rootRecord.TraceId);
        Assert.Equal(rootActivity.SpanId, rootRecord.SpanId);
        Assert.True(rootRecord.IsRoot);
        Assert.Equal(default, rootRecord.ParentSpanId);
        Assert.Equal(rootActivity.TraceId, childRecord.TraceId);
        Assert.Equal(childActivity.SpanId, childRecord.SpanId);
        Assert.Equal(rootActivity.SpanId, childRecord.ParentSpanId);
        Assert.False(childRecord.IsRoot);
        Assert.Equal("agent run", rootRecord.Name);
        Assert.Equal("chat gpt-4o (renamed)", childRecord.Name);
        Assert.Equal(ActivityKind.Server, rootRecord.Kind);
        Assert.Equal(ActivityKind.Client, childRecord.Kind);
        foreach (var (activity, record) in new[] { (rootActivity, rootRecord), (childActivity, childRecord) })
        {
            var expectedStart = (activity.StartTimeUtc - DateTime.UnixEpoch).Ticks * 100;
            Assert.Equal(expectedStart, record.StartTimeUnixNano);
            Assert.Equal(expectedStart + (activity.Duration.Ticks * 100), record.EndTimeUnixNano);
            Assert.Equal(capture.Source.Name, record.ScopeName);
            Assert.Equal("1.2.3", record.ScopeVersion);
            Assert.Same(Resource, record.ResourceAttributes);
        }
    }

    [Fact]
    public void ToSpanRecord_FixedTimes_ConvertsToUnixNanoseconds()
    {
        // Arrange
        using var capture = new ActivityCapture();
        var start = new DateTimeOffset(2024, 4, 30, 16, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        using (var activity = capture.Source.StartActivity("timed", ActivityKind.Internal, default(ActivityContext), startTime: start))
        {
            activity!.SetEndTime(start.UtcDateTime.AddMilliseconds(1500).AddTicks(3));
        }

        // Act
        var record = Assert.Single(capture.Stopped).ToSpanRecord(SpanRecord.NoAttributes);

        // Assert
        Assert.Equal(1714492800123456700, record.StartTimeUnixNano);
        Assert.Equal(1714492800123456700 + 1_500_000_300, record.EndTimeUnixNano);
    }

    [Fact]
    public void ToSpanRecord_TagsOfEveryType_ConvertToRecordTypes()
    {
        // Arrange
        var when = new DateTime(2024, 4, 30, 16, 0, 0, DateTimeKind.Utc);
        var guid = Guid.Parse("caf77ace-3417-4da4-944d-f4a0688f3c23");
        var tags = new (string Key, object? Value, object? Expected)[]
        {
            ("string", "s", "s"),
            ("bool", true, true),
            ("long", 5L, 5L),
            ("int", 7, 7L),
            ("short", (short)-3, -3L),
            ("sbyte", (sbyte)-1, -1L),
            ("byte", (byte)200, 200L),
            ("uint", uint.MaxValue, 4294967295L),
            ("ushort", (ushort)9, 9L),
            ("ulong.small", 12UL, 12L),
            ("ulong.big", ulong.MaxValue, "18446744073709551615"),
            ("double", 0.25, 0.25),
            ("float", 0.5f, 0.5),
            ("decimal", 1.25m, 1.25),
            ("char", 'x', "x"),
            ("bytes", new byte[] { 1, 2 }, new byte[] { 1, 2 }),
            ("string[]", new[] { "a", "b" }, new object?[] { "a", "b" }),
            ("int[]", new[] { 1, 2 }, new object?[] { 1L, 2L }),
            ("double[]", new[] { 1.5 }, new object?[] { 1.5 }),
            ("bool[]", new[] { true, false }, new object?[] { true, false }),
            ("object[]", new object?[] { "a", 3, null, new[] { 1, 2 } }, new object?[] { "a", 3L, null, "System.Int32[]" }),
            ("datetime", when, when.ToString(CultureInfo.InvariantCulture)),
            ("guid", guid, "caf77ace-3417-4da4-944d-f4a0688f3c23"),
            ("enum", ActivityKind.Client, "Client"),
            ("throws", new ThrowingToString(), typeof(ThrowingToString).FullName),
            ("null", null, null),
        };
        using var capture = new ActivityCapture();
        using (var activity = capture.Source.StartActivity("tags"))
        {
            foreach (var (key, value, _) in tags)
            {
                activity!.SetTag(key, value);
            }
        }

        // Act
        var record = Assert.Single(capture.Stopped).ToSpanRecord(SpanRecord.NoAttributes);

        // Assert (SetTag with null removes a tag, so "null" is not there)
        var expected = tags.Where(t => t.Value is not null).Select(t => new KeyValuePair<string, object?>(t.Key, t.Expected)).ToList();
        SpanRecordAssert.AttributesEqual(expected, record.Attributes, "Attributes");
    }

    [Theory]
    [InlineData("s")]
    [InlineData(true)]
    [InlineData(512L)]
    [InlineData(0.2)]
    public void ToAttributeValue_ValueOfARecordType_IsTakenAsItIsNotBoxedAgain(object tagValue)
    {
        // Arrange: an activity's numeric and boolean tags are boxed already; each was boxed once more when converted
        // (24 bytes a tag: the switch expression's arms were typed, its result object).

        // Act
        var (converted, allocated) = Allocations.OfSecondCall(() => ActivityConversionExtensions.ToAttributeValue(tagValue));

        // Assert
        Assert.Same(tagValue, converted);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ToSpanRecord_EventsAndLinks_AreConverted()
    {
        // Arrange
        using var capture = new ActivityCapture();
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var links = new[] { new ActivityLink(linked, new ActivityTagsCollection { ["why"] = "retry-of", ["attempt"] = 2 }) };
        var eventTime = new DateTimeOffset(2024, 4, 30, 16, 0, 1, TimeSpan.FromHours(2));
        using (var activity = capture.Source.StartActivity("with events", ActivityKind.Internal, default(ActivityContext), links: links))
        {
            activity!.AddEvent(new ActivityEvent("gen_ai.choice", eventTime, new ActivityTagsCollection { ["index"] = 0, ["finish"] = "stop" }));
            activity.AddEvent(new ActivityEvent("bare", eventTime.AddSeconds(1)));
        }

        // Act
        var record = Assert.Single(capture.Stopped).ToSpanRecord(SpanRecord.NoAttributes);

        // Assert
        Assert.Equal(2, record.Events.Count);
        Assert.Equal("gen_ai.choice", record.Events[0].Name);
        Assert.Equal((eventTime.UtcDateTime - DateTime.UnixEpoch).Ticks * 100, record.Events[0].TimeUnixNano);
        SpanRecordAssert.AttributesEqual([new("index", 0L), new("finish", "stop")], record.Events[0].Attributes, "Events[0]");
        Assert.Equal("bare", record.Events[1].Name);
        Assert.Empty(record.Events[1].Attributes);
        var link = Assert.Single(record.Links);
        Assert.Equal(linked.TraceId, link.TraceId);
        Assert.Equal(linked.SpanId, link.SpanId);
        SpanRecordAssert.AttributesEqual([new("why", "retry-of"), new("attempt", 2L)], link.Attributes, "Links[0]");
    }

    [Theory]
    [InlineData(ActivityStatusCode.Unset, null, null, null, ActivityStatusCode.Unset, null)]
    [InlineData(ActivityStatusCode.Ok, "ignored", null, null, ActivityStatusCode.Ok, null)]
    [InlineData(ActivityStatusCode.Error, "rate limited", null, null, ActivityStatusCode.Error, "rate limited")]
    [InlineData(ActivityStatusCode.Unset, null, "ERROR", "boom", ActivityStatusCode.Error, "boom")]
    [InlineData(ActivityStatusCode.Unset, null, "error", null, ActivityStatusCode.Error, null)]
    [InlineData(ActivityStatusCode.Unset, null, "OK", "ignored", ActivityStatusCode.Ok, null)]
    [InlineData(ActivityStatusCode.Unset, null, "bogus", "x", ActivityStatusCode.Unset, null)]
    [InlineData(ActivityStatusCode.Ok, null, "ERROR", "boom", ActivityStatusCode.Ok, null)]
    public void ToSpanRecord_Status_FromActivityStatusOrLegacyTags(
        ActivityStatusCode status,
        string? description,
        string? legacyCode,
        string? legacyDescription,
        ActivityStatusCode expectedCode,
        string? expectedMessage)
    {
        // Arrange
        using var capture = new ActivityCapture();
        using (var activity = capture.Source.StartActivity("status"))
        {
            activity!.SetTag("keep", "me");
            activity.SetStatus(status, description);
            activity.SetTag(ActivityConversionExtensions.StatusCodeTag, legacyCode);
            activity.SetTag(ActivityConversionExtensions.StatusDescriptionTag, legacyDescription);
        }

        // Act
        var record = Assert.Single(capture.Stopped).ToSpanRecord(SpanRecord.NoAttributes);

        // Assert
        Assert.Equal(expectedCode, record.StatusCode);
        Assert.Equal(expectedMessage, record.StatusMessage);
        Assert.Equal(["keep"], record.Attributes.Select(a => a.Key));
    }

    [Fact]
    public void ToSpanRecord_SameTraceAsOtlpRequest_EqualsOtlpConversion()
    {
        // Arrange: a small agent trace made with a real ActivitySource
        using var capture = new ActivityCapture("2.0.0");
        Activity.Current = null;
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using (var root = capture.Source.StartActivity("invoke_agent travel", ActivityKind.Server))
        {
            root!.SetTag("gen_ai.operation.name", "invoke_agent");
            root.SetTag("honeyhive.session_name", "trip planning");
            using (var chat = capture.Source.StartActivity(
                "chat gpt-4o",
                ActivityKind.Client,
                root.Context,
                links: [new ActivityLink(linked, new ActivityTagsCollection { ["link.reason"] = "follows" })]))
            {
                chat!.SetTag("gen_ai.request.model", "gpt-4o");
                chat.SetTag("gen_ai.request.temperature", 0.7);
                chat.SetTag("gen_ai.usage.input_tokens", 100);
                chat.SetTag("gen_ai.usage.output_tokens", 42L);
                chat.SetTag("gen_ai.request.stream", true);
                chat.SetTag("gen_ai.request.stop_sequences", new[] { "END", "STOP" });
                chat.SetTag("gen_ai.response.finish_reasons", new[] { "stop" });
                chat.SetTag("token_ids", new[] { 1, 2, 3 });
                chat.AddEvent(new ActivityEvent("gen_ai.content.prompt", tags: new ActivityTagsCollection { ["gen_ai.prompt"] = "hi", ["index"] = 0 }));
                chat.SetStatus(ActivityStatusCode.Error, "rate limited");
            }

            using (var tool = capture.Source.StartActivity("execute_tool get_weather", ActivityKind.Internal))
            {
                tool!.SetTag("gen_ai.tool.name", "get_weather");
                tool.SetTag("otel.status_code", "ERROR");
                tool.SetTag("otel.status_description", "city not found");
            }

            root.SetStatus(ActivityStatusCode.Ok);
        }

        var activities = capture.Stopped;
        var request = ToOtlpRequest(activities, Resource);

        // Act
        var fromActivities = activities.Select(a => a.ToSpanRecord(Resource)).ToList();
        var fromOtlp = request.ToSpanRecords();

        // Assert
        Assert.Equal(0, fromOtlp.RejectedSpans);
        Assert.Equal(3, fromActivities.Count);
        Assert.Equal(fromActivities.Count, fromOtlp.Spans.Count);
        for (var i = 0; i < fromActivities.Count; i++)
        {
            SpanRecordAssert.Equal(fromActivities[i], fromOtlp.Spans[i]);
        }

        // The comparison covered real content, not two empty records.
        Assert.Equal(ActivityStatusCode.Error, fromActivities[0].StatusCode);
        Assert.Equal(8, fromActivities[0].Attributes.Count);
        Assert.Single(fromActivities[0].Links);
        Assert.Equal("city not found", fromActivities[1].StatusMessage);
    }

    // What an OTLP exporter does with these activities, written by hand so the OTLP front door
    // can be compared with the Activity front door.
    private static ExportTraceServiceRequest ToOtlpRequest(IReadOnlyList<Activity> activities, IReadOnlyList<KeyValuePair<string, object?>> resource)
    {
        var otlpResource = new Resource();
        otlpResource.Attributes.Add(resource.Select(ToKeyValue));
        var source = activities[0].Source;
        var scopeSpans = new ScopeSpans { Scope = new InstrumentationScope { Name = source.Name, Version = source.Version ?? string.Empty } };
        foreach (var activity in activities)
        {
            var start = (ulong)(activity.StartTimeUtc - DateTime.UnixEpoch).Ticks * 100;
            var span = new Span
            {
                TraceId = IdBytes(activity.TraceId.ToHexString()),
                SpanId = IdBytes(activity.SpanId.ToHexString()),
                ParentSpanId = activity.ParentSpanId == default ? ByteString.Empty : IdBytes(activity.ParentSpanId.ToHexString()),
                Name = activity.DisplayName,
                Kind = (Span.Types.SpanKind)((int)activity.Kind + 1),
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + ((ulong)activity.Duration.Ticks * 100),
            };

            var code = activity.Status;
            var message = activity.StatusDescription;
            foreach (var tag in activity.TagObjects)
            {
                switch (tag.Key)
                {
                    case "otel.status_code":
                        code = code == ActivityStatusCode.Unset && tag.Value is "ERROR" ? ActivityStatusCode.Error : code;
                        break;
                    case "otel.status_description":
                        message ??= (string?)tag.Value;
                        break;
                    default:
                        span.Attributes.Add(ToKeyValue(tag));
                        break;
                }
            }

            span.Status = new Status
            {
                Code = (Status.Types.StatusCode)(int)code,
                Message = code == ActivityStatusCode.Error ? message ?? string.Empty : string.Empty,
            };

            foreach (var e in activity.Events)
            {
                var otlpEvent = new Span.Types.Event { Name = e.Name, TimeUnixNano = (ulong)(e.Timestamp.UtcDateTime - DateTime.UnixEpoch).Ticks * 100 };
                otlpEvent.Attributes.Add(e.Tags.Select(ToKeyValue));
                span.Events.Add(otlpEvent);
            }

            foreach (var link in activity.Links)
            {
                var otlpLink = new Span.Types.Link
                {
                    TraceId = IdBytes(link.Context.TraceId.ToHexString()),
                    SpanId = IdBytes(link.Context.SpanId.ToHexString()),
                };
                otlpLink.Attributes.Add((link.Tags ?? []).Select(ToKeyValue));
                span.Links.Add(otlpLink);
            }

            scopeSpans.Spans.Add(span);
        }

        var resourceSpans = new ResourceSpans { Resource = otlpResource };
        resourceSpans.ScopeSpans.Add(scopeSpans);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resourceSpans);
        return request;
    }

    private static ByteString IdBytes(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static KeyValue ToKeyValue(KeyValuePair<string, object?> tag) => new() { Key = tag.Key, Value = ToAnyValue(tag.Value) };

    private static AnyValue ToAnyValue(object? value)
    {
        switch (value)
        {
            case string s:
                return new AnyValue { StringValue = s };
            case bool b:
                return new AnyValue { BoolValue = b };
            case int i:
                return new AnyValue { IntValue = i };
            case long l:
                return new AnyValue { IntValue = l };
            case double d:
                return new AnyValue { DoubleValue = d };
            case Array array:
                var arrayValue = new ArrayValue();
                foreach (var item in array)
                {
                    arrayValue.Values.Add(ToAnyValue(item));
                }

                return new AnyValue { ArrayValue = arrayValue };
            default:
                throw new NotSupportedException($"The test converter has no case for {value?.GetType()}.");
        }
    }

    private sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("no");
    }

    /// <summary>A uniquely named ActivitySource and a listener that records every stopped activity.</summary>
    private sealed class ActivityCapture : IDisposable
    {
        private readonly ActivityListener listener;
        private readonly List<Activity> stopped = [];

        public ActivityCapture(string? version = null)
        {
            this.Source = new ActivitySource($"HoneyHive.OtelBridge.Tests.{Guid.NewGuid():N}", version);
            this.listener = new ActivityListener
            {
                ShouldListenTo = source => ReferenceEquals(source, this.Source),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    lock (this.stopped)
                    {
                        this.stopped.Add(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(this.listener);
        }

        public ActivitySource Source { get; }

        public IReadOnlyList<Activity> Stopped
        {
            get
            {
                lock (this.stopped)
                {
                    return [.. this.stopped];
                }
            }
        }

        public void Dispose()
        {
            this.listener.Dispose();
            this.Source.Dispose();
        }
    }
}
