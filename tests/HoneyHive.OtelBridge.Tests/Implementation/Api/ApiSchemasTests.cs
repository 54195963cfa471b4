// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HoneyHive.OtelBridge.Implementation.Api;
using Json.Schema;

namespace HoneyHive.OtelBridge.Tests.Implementation.Api;

public sealed class ApiSchemasTests
{
    public static TheoryData<string> RequestSchemas => ["session", "event", "session-event-batch"];

    public static TheoryData<string, string> ArgumentSchemas
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var name in (string[])["session", "event", "session-event-batch"])
            {
                foreach (var apiField in Schema(name).Fields)
                {
                    data.Add(name, apiField.FlagName);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RequestSchemas))]
    public void ToJsonSchema_RequestObject_IsValidDraft202012Schema(string name)
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(Schema(name));

        // Act
        var results = ValidateAgainstMetaSchema(document);

        // Assert
        Assert.True(results.IsValid, Describe(results));
        Assert.Equal(ApiSchemas.Draft202012, (string?)document["$schema"]);
        Assert.Equal("object", (string?)document["type"]);
        Assert.False((bool)document["additionalProperties"]!);
    }

    [Theory]
    [MemberData(nameof(ArgumentSchemas))]
    public void ToJsonSchema_Argument_IsValidDraft202012Schema(string name, string flag)
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(Schema(name).FindFlag(flag)!);

        // Act
        var results = ValidateAgainstMetaSchema(document);

        // Assert
        Assert.True(results.IsValid, Describe(results));
        Assert.Equal(ApiSchemas.Draft202012, (string?)document["$schema"]);
        Assert.NotNull(document["type"]);
        Assert.False(string.IsNullOrEmpty((string?)document["description"]));
    }

    [Fact]
    public void MetaSchemaCheck_MisspelledType_IsRefused()
    {
        // Arrange: proves the meta-schema check used above can fail.
        var document = ApiSchemas.ToJsonSchema(ApiSchemas.Session);
        document["properties"]!["duration"]!["type"] = "numbr";

        // Act
        var results = ValidateAgainstMetaSchema(document);

        // Assert
        Assert.False(results.IsValid);
    }

    [Fact]
    public void Session_Fields_AreTheThirteenOfTheSessionsCreateCommand()
    {
        // Arrange
        string[] expected =
        [
            "session_id", "session_name", "event_name", "source", "start_time", "end_time", "duration",
            "config", "inputs", "outputs", "metadata", "user_properties", "children_ids",
        ];

        // Act
        var names = ApiSchemas.Session.Fields.Select(f => f.Name);

        // Assert
        Assert.Equal(expected, names);
        Assert.DoesNotContain(ApiSchemas.Session.Fields, f => f.Required);
    }

    [Fact]
    public void Event_EventType_IsRequiredEnumAndInputsIsRequiredObject()
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(ApiSchemas.Event);

        // Act
        var eventType = document["properties"]!["event_type"]!;
        var required = document["required"]!.AsArray().Select(n => (string?)n);

        // Assert
        Assert.Equal(["chain", "model", "tool", "session"], eventType["enum"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["event_type", "inputs"], required);
        Assert.Equal("object", (string?)document["properties"]!["inputs"]!["type"]);
    }

    [Theory]
    [InlineData(typeof(SessionStartRequest), "session")]
    [InlineData(typeof(EventRequest), "event")]
    [InlineData(typeof(SessionEventBatchRequest), "session-event-batch")]
    public void Model_JsonPropertyNames_EqualSchemaBodyPropertyNames(Type model, string name)
    {
        // Arrange
        var schema = Schema(name);
        var expected = ApiSchemas.ToJsonSchema(schema)["properties"]!.AsObject()
            .Select(p => p.Key)
            .Where(key => !schema.FindField(key)!.InPath)
            .Order(StringComparer.Ordinal);

        // Act
        var actual = ModelProperties(model).Select(p => p.Name).Order(StringComparer.Ordinal);

        // Assert
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(typeof(SessionStartRequest), "session")]
    [InlineData(typeof(EventRequest), "event")]
    [InlineData(typeof(SessionEventBatchRequest), "session-event-batch")]
    public void Model_PropertyTypes_MatchSchemaKinds(Type model, string name)
    {
        // Arrange
        var schema = Schema(name);

        // Act
        var mismatches = ModelProperties(model)
            .Where(p => !Fits(schema.FindField(p.Name)!, p.Property))
            .Select(p => p.Name + ": " + p.Property.PropertyType.Name)
            .ToList();

        // Assert
        Assert.Empty(mismatches);
    }

    [Theory]
    [MemberData(nameof(RequestSchemas))]
    public void ToJsonSchema_ExampleBuiltFromSchema_Validates(string name)
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(Schema(name));
        var example = JsonSchemaExamples.Build(document);

        // Act
        var results = Evaluate(document, example);

        // Assert
        Assert.True(results.IsValid, Describe(results));
        Assert.Empty(ApiSchemaValidator.Validate(Schema(name), example.AsObject()));
    }

    [Theory]
    [MemberData(nameof(ArgumentSchemas))]
    public void ToJsonSchema_ArgumentExample_Validates(string name, string flag)
    {
        // Arrange
        var field = Schema(name).FindFlag(flag)!;
        var document = ApiSchemas.ToJsonSchema(field);
        var example = JsonSchemaExamples.Build(document);

        // Act
        var results = Evaluate(document, example);

        // Assert
        Assert.True(results.IsValid, Describe(results));
        Assert.Empty(ApiSchemaValidator.ValidateValue(field, example, flag));
    }

    [Theory]
    [MemberData(nameof(RequestSchemas))]
    public void ToJsonSchema_UnlistedProperty_IsRefused(string name)
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(Schema(name));
        var example = JsonSchemaExamples.Build(document).AsObject();
        example["project"] = "not a field of any v1 request";

        // Act
        var results = Evaluate(document, example);
        var errors = ApiSchemaValidator.Validate(Schema(name), example);

        // Assert
        Assert.False(results.IsValid);
        Assert.Equal(["project: unknown field"], errors.Select(e => e[..e.IndexOf(" (", StringComparison.Ordinal)]));
    }

    [Fact]
    public void ToJsonSchema_UnlistedPropertyInAnEvent_IsRefused()
    {
        // Arrange
        var document = ApiSchemas.ToJsonSchema(ApiSchemas.SessionEventBatch);
        var example = JsonSchemaExamples.Build(document).AsObject();
        example["events"]![0]!["tokens"] = 3;

        // Act
        var results = Evaluate(document, example);
        var errors = ApiSchemaValidator.Validate(ApiSchemas.SessionEventBatch, example);

        // Assert
        Assert.False(results.IsValid);
        Assert.Single(errors);
        Assert.StartsWith("events[0].tokens: unknown field", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"events\":[{\"inputs\":{}}]}", "events[0].event_type: required field is missing|session_id: required field is missing")]
    [InlineData("{\"session_id\":\"s\",\"events\":[{\"event_type\":\"span\",\"inputs\":[]}]}", "events[0].event_type: must be one of chain, model, tool, session, not \"span\"|events[0].inputs: must be a JSON object, not an array")]
    [InlineData("{\"session_id\":1,\"events\":{}}", "session_id: must be a string, not a number|events: must be a JSON array of objects, not an object")]
    [InlineData("{\"session_id\":\"s\",\"events\":[{\"event_type\":\"tool\",\"inputs\":{},\"start_time\":1.5,\"duration\":\"7\",\"error\":null,\"children_ids\":[\"a\",2]}]}", "events[0].start_time: must be a whole number of Unix milliseconds (no fraction or exponent), not 1.5|events[0].duration: must be a number, not a string|events[0].children_ids[1]: must be a string, not a number")]
    public void Validate_InvalidBatch_NamesEachProblem(string json, string expected)
    {
        // Arrange
        var value = JsonNode.Parse(json)!.AsObject();

        // Act
        var errors = ApiSchemaValidator.Validate(ApiSchemas.SessionEventBatch, value);

        // Assert
        Assert.Equal(expected.Split('|'), errors);
    }

    private static ApiObjectSchema Schema(string name) => name switch
    {
        "session" => ApiSchemas.Session,
        "event" => ApiSchemas.Event,
        "session-event-batch" => ApiSchemas.SessionEventBatch,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    private static IEnumerable<(string Name, PropertyInfo Property)> ModelProperties(Type model) =>
        model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? "(no [JsonPropertyName] on " + p.Name + ")", p));

    private static bool Fits(ApiField field, PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var typeFits = field.Kind switch
        {
            ApiValueKind.String or ApiValueKind.NullableString => type == typeof(string),
            ApiValueKind.Number => type == typeof(double),
            ApiValueKind.Integer => type == typeof(long),
            ApiValueKind.Object => type == typeof(JsonObject),
            ApiValueKind.StringArray => type == typeof(List<string>),
            ApiValueKind.ObjectArray => type == typeof(List<EventRequest>) && field.Items == ApiSchemas.Event,
            _ => false,
        };

        // A required field is never absent from the serialized model: it has a non-nullable type.
        var nullable = new NullabilityInfoContext().Create(property).ReadState == NullabilityState.Nullable;
        return typeFits && (!field.Required || !nullable);
    }

    private static EvaluationResults ValidateAgainstMetaSchema(JsonObject document) =>
        MetaSchemas.Draft202012.Evaluate(ToElement(document), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static EvaluationResults Evaluate(JsonObject document, JsonNode instance)
    {
        var schema = JsonSchema.FromText(document.ToJsonString(), baseUri: new Uri("https://example.test/" + Guid.NewGuid()));
        return schema.Evaluate(ToElement(instance), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static JsonElement ToElement(JsonNode node)
    {
        using var parsed = JsonDocument.Parse(node.ToJsonString());
        return parsed.RootElement.Clone();
    }

    private static string Describe(EvaluationResults results) =>
        JsonSerializer.Serialize(
            (results.Details ?? []).Append(results)
                .Where(d => d.Errors is not null)
                .Select(d => new { at = d.InstanceLocation.ToString(), d.Errors }));
}
