// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.CommandLine;
using HoneyHive.OtelBridge.Receiver.Security;

namespace HoneyHive.OtelBridge.Receiver.Commands;

/// <summary>The access-control flags of <c>serve</c>: <c>--auth-token-file</c>, <c>--tls-cert</c>, <c>--tls-key</c>
/// (tokens may also come from <c>HH_BRIDGE_AUTH_TOKENS</c>).</summary>
internal sealed class ServeSecurityOptions
{
    private readonly Option<string?> tokenFile = new("--auth-token-file")
    {
        Description = "File of accepted bearer tokens, one per line (also: $" + BearerTokenSet.EnvironmentVariable + ", comma-separated). Without any token, requests need none.",
    };

    private readonly Option<string?> tlsCert = new("--tls-cert")
    {
        Description = "PEM certificate: both ports speak TLS (gRPC as HTTP/2 over TLS). Needs --tls-key.",
    };

    private readonly Option<string?> tlsKey = new("--tls-key")
    {
        Description = "PEM private key of --tls-cert (unencrypted PKCS#8, PKCS#1 or EC).",
    };

    private ServeSecurityOptions()
    {
    }

    public static ServeSecurityOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new ServeSecurityOptions();
        command.Options.Add(options.tokenFile);
        command.Options.Add(options.tlsCert);
        command.Options.Add(options.tlsKey);
        return options;
    }

    /// <summary>Reads the flags and the token variable.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The security options (validated).</returns>
    /// <exception cref="ArgumentException">A token file without tokens, a certificate without its key, an unreadable file.</exception>
    public ReceiverSecurityOptions GetSecurity(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var result = new ReceiverSecurityOptions
        {
            AuthTokens = BearerTokenSet.Load(parseResult.GetValue(this.tokenFile), Environment.GetEnvironmentVariable(BearerTokenSet.EnvironmentVariable)),
            TlsCertificatePath = parseResult.GetValue(this.tlsCert),
            TlsKeyPath = parseResult.GetValue(this.tlsKey),
        };
        result.Validate();
        if (result.UsesTls)
        {
            // Fail fast on a bad pair, before anything listens.
            ReceiverCertificate.Load(result.TlsCertificatePath!, result.TlsKeyPath!).Dispose();
        }

        return result;
    }
}
