// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>A request object: its fields, and no others (the API rejects unknown fields).</summary>
internal sealed class ApiObjectSchema
{
    public ApiObjectSchema(string title, string description, IReadOnlyList<ApiField> fields)
    {
        this.Title = title;
        this.Description = description;
        this.Fields = fields;
    }

    /// <summary>Gets the schema title (the API's schema name).</summary>
    public string Title { get; }

    /// <summary>Gets the description.</summary>
    public string Description { get; }

    /// <summary>Gets the fields, in the order they are documented.</summary>
    public IReadOnlyList<ApiField> Fields { get; }

    /// <summary>Finds a field by its API name.</summary>
    /// <param name="name">The snake-case name.</param>
    /// <returns>The field, or <see langword="null"/>.</returns>
    public ApiField? FindField(string name)
    {
        foreach (var field in this.Fields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>Finds a field by its flag name (kebab case, without <c>--</c>).</summary>
    /// <param name="flagName">The flag name.</param>
    /// <returns>The field, or <see langword="null"/>.</returns>
    public ApiField? FindFlag(string flagName)
    {
        foreach (var field in this.Fields)
        {
            if (string.Equals(field.FlagName, flagName, StringComparison.Ordinal))
            {
                return field;
            }
        }

        return null;
    }
}
