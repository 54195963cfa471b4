// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>One field of a HoneyHive request object, described once (see <see cref="ApiSchemas"/>).</summary>
internal sealed class ApiField
{
    public ApiField(
        string name,
        ApiValueKind kind,
        string description,
        bool required = false,
        IReadOnlyList<string>? enumValues = null,
        ApiObjectSchema? items = null,
        bool inPath = false)
    {
        if (kind == ApiValueKind.ObjectArray && items is null)
        {
            throw new ArgumentException("An object array field needs its item schema.", nameof(items));
        }

        this.Name = name;
        this.Kind = kind;
        this.Description = description;
        this.Required = required;
        this.EnumValues = enumValues ?? [];
        this.Items = items;
        this.InPath = inPath;
    }

    /// <summary>Gets the field name as the API spells it (snake case).</summary>
    public string Name { get; }

    /// <summary>Gets the command-line flag name: the field name in kebab case, without <c>--</c>.</summary>
    public string FlagName => this.Name.Replace('_', '-');

    /// <summary>Gets the JSON type of the value.</summary>
    public ApiValueKind Kind { get; }

    /// <summary>Gets the one-line description.</summary>
    public string Description { get; }

    /// <summary>Gets a value indicating whether the request must carry the field.</summary>
    public bool Required { get; }

    /// <summary>Gets the values a string field may take; empty when any string is allowed.</summary>
    public IReadOnlyList<string> EnumValues { get; }

    /// <summary>Gets the schema of each element of an <see cref="ApiValueKind.ObjectArray"/> field.</summary>
    public ApiObjectSchema? Items { get; }

    /// <summary>
    /// Gets a value indicating whether the field goes into the URL path rather than the body
    /// (the <c>session_id</c> of <c>POST /v1/sessions/{session_id}/events/batch</c>).
    /// </summary>
    public bool InPath { get; }
}
