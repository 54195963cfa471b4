// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HoneyHive.OtelBridge.Receiver.Security;

/// <summary>Loads the receiver's TLS certificate from PEM files.</summary>
internal static class ReceiverCertificate
{
    /// <summary>
    /// Loads a PEM certificate (the leaf first; a chain may follow) and its PEM private key (PKCS#8, PKCS#1 or EC,
    /// unencrypted). The pair goes through PKCS#12 once, because on Windows SslStream cannot use the ephemeral key
    /// that <see cref="X509Certificate2.CreateFromPemFile"/> gives.
    /// </summary>
    /// <param name="certificatePath">The certificate file.</param>
    /// <param name="keyPath">The key file.</param>
    /// <returns>The certificate with its key.</returns>
    /// <exception cref="ArgumentException">A file is missing or does not hold a matching certificate and key.</exception>
    public static X509Certificate2 Load(string certificatePath, string keyPath)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!pem.HasPrivateKey)
            {
                throw new ArgumentException($"'{keyPath}' holds no private key for '{certificatePath}'.", nameof(keyPath));
            }

            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"Cannot load the TLS certificate '{certificatePath}' with the key '{keyPath}': {ex.Message}", nameof(certificatePath), ex);
        }
    }
}
