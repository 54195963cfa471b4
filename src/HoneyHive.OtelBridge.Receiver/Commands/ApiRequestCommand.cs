// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using HoneyHive.OtelBridge.Implementation.Api;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>
/// One command that sends one HoneyHive request, built from an <see cref="ApiObjectSchema"/>: a flag per field
/// (kebab case, typed by the schema), <c>--filename</c>, <c>--show-file-schema</c>, <c>--show-argument-schema</c>
/// and <c>--api-url</c>. Every problem is reported on standard error with an exit code from
/// <see cref="CommandExitCodes"/>; the API's answer goes to standard output.
/// </summary>
internal sealed class ApiRequestCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ApiObjectSchema schema;
    private readonly Func<JsonObject, ApiCall> toCall;
    private readonly ApiCallSender send;
    private readonly List<(ApiField Field, Option<string> Option)> fieldOptions = [];
    private readonly Option<string> filename;
    private readonly Option<bool> showFileSchema;
    private readonly Option<string> showArgumentSchema;
    private readonly Option<string> apiUrl;

    private ApiRequestCommand(string name, string description, ApiObjectSchema schema, Func<JsonObject, ApiCall> toCall, ApiCallSender send)
    {
        this.schema = schema;
        this.toCall = toCall;
        this.send = send;
        this.Command = new Command(name, description)
        {
            // Unknown arguments reach the action, so they are usage errors (exit 2) like every other.
            TreatUnmatchedTokensAsErrors = false,
        };

        foreach (var field in schema.Fields)
        {
            var option = new Option<string>("--" + field.FlagName)
            {
                Description = Describe(field),
                HelpName = HelpName(field),
                Arity = ArgumentArity.ZeroOrOne,
            };
            this.fieldOptions.Add((field, option));
            this.Command.Options.Add(option);
        }

        this.filename = new Option<string>("--filename", "-f")
        {
            Description = "JSON file holding the whole request object (see --show-file-schema); a flag given as well wins",
            HelpName = "file",
            Arity = ArgumentArity.ZeroOrOne,
        };
        this.showFileSchema = new Option<bool>("--show-file-schema")
        {
            Description = "Print the JSON Schema of the whole request object (the --filename format) and exit; calls no API",
        };
        this.showArgumentSchema = new Option<string>("--show-argument-schema")
        {
            Description = "Print the JSON Schema of one argument's value (its flag name without --, e.g. " + schema.Fields[0].FlagName + ") and exit; calls no API",
            HelpName = "flag-name",
            Arity = ArgumentArity.ZeroOrOne,
        };
        this.apiUrl = new Option<string>("--api-url")
        {
            Description = "HoneyHive API base URL (default: $HH_DATA_PLANE_URL, else $HH_API_URL, else " + HoneyHiveConnectionSettings.DefaultBaseUrl + ")",
            HelpName = "url",
            Arity = ArgumentArity.ZeroOrOne,
        };
        this.Command.Options.Add(this.filename);
        this.Command.Options.Add(this.showFileSchema);
        this.Command.Options.Add(this.showArgumentSchema);
        this.Command.Options.Add(this.apiUrl);
        this.Command.SetAction(this.RunAsync);
    }

    /// <summary>Sends one call: answers the API's JSON (or <see langword="null"/> for an empty body).</summary>
    /// <param name="call">The call.</param>
    /// <param name="apiUrl">The <c>--api-url</c>, or <see langword="null"/> for the environment's.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    internal delegate Task<JsonNode?> ApiCallSender(ApiCall call, string? apiUrl, CancellationToken cancellationToken);

    /// <summary>Gets the command.</summary>
    public Command Command { get; }

    /// <summary>Creates the command.</summary>
    /// <param name="name">The command name.</param>
    /// <param name="description">The command description.</param>
    /// <param name="schema">The request object (its <c>--filename</c> format).</param>
    /// <param name="toCall">Turns a valid request object into the API call.</param>
    /// <param name="send">Sends the call.</param>
    /// <returns>The command.</returns>
    public static Command Create(string name, string description, ApiObjectSchema schema, Func<JsonObject, ApiCall> toCall, ApiCallSender send) =>
        new ApiRequestCommand(name, description, schema, toCall, send).Command;

    private static string Describe(ApiField field)
    {
        var type = field.Kind switch
        {
            ApiValueKind.Number or ApiValueKind.Integer => "number",
            ApiValueKind.Object or ApiValueKind.StringArray or ApiValueKind.ObjectArray => "json",
            _ => "string",
        };
        var required = field.Required ? ", required unless in --filename" : string.Empty;
        var values = field.EnumValues.Count > 0 ? " (" + string.Join(", ", field.EnumValues) + ")" : string.Empty;
        return "[" + type + required + "] " + field.Description + values;
    }

    private static string HelpName(ApiField field) => field.Kind switch
    {
        ApiValueKind.Number => "number",
        ApiValueKind.Integer => "ms",
        ApiValueKind.Object or ApiValueKind.StringArray or ApiValueKind.ObjectArray => "json",
        _ => "string",
    };

    private static bool IsGiven(ParseResult parseResult, Option option) =>
        parseResult.GetResult(option) is { Implicit: false };

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            if (parseResult.UnmatchedTokens.Count > 0)
            {
                throw new CommandUsageException(
                    "Unknown argument(s): " + string.Join(" ", parseResult.UnmatchedTokens) +
                    ". See 'honeyhive-bridge sessions " + this.Command.Name + " --help'.");
            }

            if (this.TrySchemaOutput(parseResult) is { } schemaDocument)
            {
                await output.WriteLineAsync(schemaDocument.ToJsonString(Indented)).ConfigureAwait(false);
                return CommandExitCodes.Success;
            }

            var request = this.BuildRequest(parseResult);
            var call = this.toCall(request);
            var answer = await this.send(call, this.GetValue(parseResult, this.apiUrl), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync(answer?.ToJsonString(Indented) ?? "{}").ConfigureAwait(false);
            return CommandExitCodes.Success;
        }
        catch (CommandUsageException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return CommandExitCodes.UsageError;
        }
        catch (HoneyHiveApiException ex)
        {
            // The client's message names the method, path, status and the API's own message, never the key.
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return CommandExitCodes.ApiError;
        }
    }

    private JsonObject? TrySchemaOutput(ParseResult parseResult)
    {
        var fileSchema = IsGiven(parseResult, this.showFileSchema);
        var argumentSchema = IsGiven(parseResult, this.showArgumentSchema);
        if (!fileSchema && !argumentSchema)
        {
            return null;
        }

        var flag = fileSchema ? "--show-file-schema" : "--show-argument-schema";
        Option self = fileSchema ? this.showFileSchema : this.showArgumentSchema;
        var others = this.Command.Options
            .Where(option => !ReferenceEquals(option, self) && IsGiven(parseResult, option))
            .Select(option => option.Name)
            .ToList();
        if (others.Count > 0)
        {
            throw new CommandUsageException(flag + " cannot be combined with any other flag of this command (got " + string.Join(", ", others) + "). It prints a schema and calls no API.");
        }

        if (fileSchema)
        {
            return parseResult.GetValue(this.showFileSchema) ? ApiSchemas.ToJsonSchema(this.schema) : null;
        }

        var name = this.GetValue(parseResult, this.showArgumentSchema)!;
        var field = this.schema.FindFlag(name.StartsWith("--", StringComparison.Ordinal) ? name[2..] : name)
            ?? throw new CommandUsageException(
                "--show-argument-schema: unknown argument '" + name + "'; one of: " + string.Join(", ", this.schema.Fields.Select(f => f.FlagName)) + ".");
        return ApiSchemas.ToJsonSchema(field);
    }

    private JsonObject BuildRequest(ParseResult parseResult)
    {
        var flags = new List<KeyValuePair<ApiField, string>>();
        foreach (var (field, option) in this.fieldOptions)
        {
            if (IsGiven(parseResult, option))
            {
                flags.Add(new(field, this.GetValue(parseResult, option)!));
            }
        }

        string? fileName = null;
        string? fileText = null;
        if (IsGiven(parseResult, this.filename))
        {
            fileName = this.GetValue(parseResult, this.filename)!;
            try
            {
                fileText = File.ReadAllText(fileName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new CommandUsageException("--filename " + fileName + " cannot be read: " + ex.Message, ex);
            }
        }

        return ApiRequestBuilder.Build(this.schema, fileName, fileText, flags);
    }

    /// <summary>Gets the value of a given option; a given option without a value is a usage error.</summary>
    private string? GetValue(ParseResult parseResult, Option<string> option)
    {
        if (!IsGiven(parseResult, option))
        {
            return null;
        }

        return parseResult.GetValue(option) ?? throw new CommandUsageException(option.Name + " needs a value. See 'honeyhive-bridge sessions " + this.Command.Name + " --help'.");
    }
}
