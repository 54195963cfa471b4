// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

namespace HoneyHive.OtelBridge.Implementation.Api;

/// <summary>Why a HoneyHive API call failed (see <see cref="HoneyHiveApiException"/>).</summary>
internal enum HoneyHiveApiErrorReason
{
    /// <summary>400: the API refused the request data (unknown field, missing <c>inputs</c>, ...). Not retried.</summary>
    BadRequest,

    /// <summary>401, 403, or 404, which the hosted API answers for a rejected or under-scoped API key. Not retried.</summary>
    KeyRejected,

    /// <summary>404 whose API error code names a missing resource (<c>SESSION_NOT_FOUND</c>,
    /// <c>EVENT_NOT_FOUND</c>): the key was accepted, the session or event does not exist. Not retried; delivery
    /// does not treat it as a key problem.</summary>
    NotFound,

    /// <summary>413: the body is larger than the API accepts. Not retried.</summary>
    PayloadTooLarge,

    /// <summary>Another 4xx status. Not retried.</summary>
    ClientError,

    /// <summary>429: the API asked the client to slow down. Retried, after <c>Retry-After</c>.</summary>
    RateLimited,

    /// <summary>500 on a batch route: "events partially added". Retried with the same event ids.</summary>
    PartiallyAdded,

    /// <summary>502, 503, 504: the API or its gateway is unavailable. Retried.</summary>
    Unavailable,

    /// <summary>Another 5xx status. Not retried.</summary>
    ServerError,

    /// <summary>408, or no answer within the request timeout. Retried.</summary>
    Timeout,

    /// <summary>The connection could not be made or broke (refused, DNS, TLS, reset). Retried.</summary>
    Connection,

    /// <summary>A 2xx answer whose body is not the JSON the route documents. Not retried.</summary>
    InvalidResponse,
}
