// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Receiver.Security;

/// <summary>Access control of the receiver: bearer tokens and TLS (both off by default).</summary>
internal sealed class ReceiverSecurityOptions
{
    /// <summary>Gets the accepted bearer tokens; <see langword="null"/> or empty (the default) accepts every request.</summary>
    public BearerTokenSet? AuthTokens { get; init; }

    /// <summary>Gets the PEM certificate file of TLS on both ports (with <see cref="TlsKeyPath"/>); default none.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>Gets the PEM private key file of <see cref="TlsCertificatePath"/>; default none.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>Gets a value indicating whether requests need a bearer token.</summary>
    public bool RequiresToken => this.AuthTokens is { Count: > 0 };

    /// <summary>Gets a value indicating whether both ports speak TLS.</summary>
    public bool UsesTls => this.TlsCertificatePath is not null;

    internal void Validate()
    {
        if ((this.TlsCertificatePath is null) != (this.TlsKeyPath is null))
        {
            throw new ArgumentException("TLS needs both a certificate file (--tls-cert) and its key file (--tls-key).", nameof(this.TlsKeyPath));
        }
    }
}
