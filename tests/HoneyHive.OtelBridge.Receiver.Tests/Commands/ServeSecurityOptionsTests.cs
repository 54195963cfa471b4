// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using HoneyHive.OtelBridge.Receiver.Commands;
using HoneyHive.OtelBridge.Receiver.Security;

namespace HoneyHive.OtelBridge.Receiver.Tests.Commands;

[Collection("NonParallel")]
public sealed class ServeSecurityOptionsTests
{
    [Fact]
    public void GetSecurity_TokenFileAndEnvironment_AllTokensAccepted()
    {
        // Arrange
        var file = Path.Combine(Path.GetTempPath(), "serve-tokens-" + Guid.NewGuid().ToString("N"));
        File.WriteAllLines(file, ["file-token"]);
        var previous = Environment.GetEnvironmentVariable(BearerTokenSet.EnvironmentVariable);
        Environment.SetEnvironmentVariable(BearerTokenSet.EnvironmentVariable, "env-token-1,env-token-2");
        try
        {
            var command = new Command("serve");
            var options = ServeSecurityOptions.AddTo(command);

            // Act
            var security = options.GetSecurity(command.Parse(["--auth-token-file", file]));

            // Assert
            Assert.True(security.RequiresToken);
            Assert.Equal(3, security.AuthTokens!.Count);
            Assert.True(security.AuthTokens.Contains("file-token"));
            Assert.True(security.AuthTokens.Contains("env-token-2"));
            Assert.False(security.UsesTls);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BearerTokenSet.EnvironmentVariable, previous);
            File.Delete(file);
        }
    }

    [Fact]
    public void GetSecurity_NothingGiven_NoTokenNoTls()
    {
        // Arrange
        var previous = Environment.GetEnvironmentVariable(BearerTokenSet.EnvironmentVariable);
        Environment.SetEnvironmentVariable(BearerTokenSet.EnvironmentVariable, null);
        try
        {
            var command = new Command("serve");
            var options = ServeSecurityOptions.AddTo(command);

            // Act
            var security = options.GetSecurity(command.Parse([]));

            // Assert
            Assert.False(security.RequiresToken);
            Assert.False(security.UsesTls);
        }
        finally
        {
            Environment.SetEnvironmentVariable(BearerTokenSet.EnvironmentVariable, previous);
        }
    }

    [Theory]
    [InlineData("--tls-cert", "missing-cert.pem")]
    [InlineData("--tls-key", "missing-key.pem")]
    [InlineData("--auth-token-file", "missing-tokens.txt")]
    [InlineData("--max-spans-per-request", "0")]
    [InlineData("--max-attribute-depth", "0")]
    [InlineData("--max-concurrent-requests", "0")]
    [InlineData("--max-concurrent-exports", "0")]
    [InlineData("--max-queued-mib", "0")]
    [InlineData("--event-batch-delay", "-1")]
    [InlineData("--event-batch-delay", "61")]
    public async Task Serve_BadSecurityOrLimitFlag_UsageErrorBeforeListening(string flag, string value)
    {
        // Arrange
        var root = Program.BuildRootCommand();
        using var error = new StringWriter();

        // Act
        var exit = await root.Parse(["serve", "--grpc-port", "0", "--http-port", "0", "--local-api-port", "0", flag, value])
            .InvokeAsync(new InvocationConfiguration { Error = error, Output = TextWriter.Null });

        // Assert
        Assert.Equal(CommandExitCodes.UsageError, exit);
        Assert.StartsWith("serve: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void GetLimits_Flags_ReachEveryLimit()
    {
        // Arrange
        var command = new Command("serve");
        var options = ServeLimitOptions.AddTo(command);

        // Act
        var limits = options.GetLimits(command.Parse([
            "--max-spans-per-request", "10", "--max-attributes-per-span", "20", "--max-attribute-depth", "3",
            "--max-string-length", "1000", "--max-held-spans-per-trace", "40", "--max-held-spans", "50"]));
        var defaults = options.GetLimits(command.Parse([]));

        // Assert
        Assert.Equal((10, 20, 3, 1000, 40, 50), (limits.MaxSpansPerRequest, limits.MaxAttributesPerSpan, limits.MaxAttributeDepth, limits.MaxStringLength, limits.MaxHeldSpansPerTrace, limits.MaxHeldSpans));
        Assert.Equal((50_000, 2_048, 32, 100_000, 10_000, 100_000), (defaults.MaxSpansPerRequest, defaults.MaxAttributesPerSpan, defaults.MaxAttributeDepth, defaults.MaxStringLength, defaults.MaxHeldSpansPerTrace, defaults.MaxHeldSpans));
    }
}
