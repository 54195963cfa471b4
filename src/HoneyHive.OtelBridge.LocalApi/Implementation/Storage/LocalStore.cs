// Copyright The HoneyHive.OtelBridge Authors
// SPDX-License-Identifier: Apache-2.0

using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace HoneyHive.OtelBridge.LocalApi.Implementation.Storage;

/// <summary>
/// Sessions and events in SQLite: each stored as its JSON plus indexed columns (ids, session id, start time).
/// One connection serves every request, one operation at a time (a <see cref="SemaphoreSlim"/>), so concurrent
/// requests never interleave a read-modify-write; a batch is written in one transaction.
/// </summary>
internal sealed class LocalStore : IAsyncDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS sessions (
            session_id TEXT NOT NULL PRIMARY KEY,
            start_time REAL,
            json TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (
            event_id TEXT NOT NULL PRIMARY KEY,
            session_id TEXT NOT NULL,
            start_time REAL,
            json TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_events_session ON events (session_id, start_time);
        """;

    private readonly SqliteConnection connection;
    private readonly SemaphoreSlim gate = new(1, 1);

    private LocalStore(SqliteConnection connection)
    {
        this.connection = connection;
    }

    /// <summary>Opens (and creates) the store.</summary>
    /// <param name="databasePath">The SQLite file, or <see langword="null"/> for an in-memory database.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The store.</returns>
    public static async Task<LocalStore> OpenAsync(string? databasePath, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath ?? ":memory:",
            Mode = databasePath is null ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (databasePath is not null)
            {
                await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", cancellationToken).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, Schema, cancellationToken).ConfigureAwait(false);
            return new LocalStore(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates a session, or updates the stored one, in one step.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="build">Builds the session to store from the stored one (<see langword="null"/> when new).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The stored session.</returns>
    public Task<JsonObject> UpsertSessionAsync(string sessionId, Func<JsonObject?, JsonObject> build, CancellationToken cancellationToken)
    {
        return this.RunAsync(
            async () =>
            {
                var existing = await this.ReadJsonAsync("SELECT json FROM sessions WHERE session_id = $id", sessionId, cancellationToken).ConfigureAwait(false);
                var session = build(existing);
                await this.WriteSessionAsync(session, cancellationToken).ConfigureAwait(false);
                return session;
            },
            cancellationToken);
    }

    /// <summary>Stores events (an existing <c>event_id</c> is replaced, keeping its insertion position).</summary>
    /// <param name="events">The events.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task.</returns>
    public Task PutEventsAsync(IReadOnlyList<JsonObject> events, CancellationToken cancellationToken)
    {
        return this.RunAsync(
            async () =>
            {
                var transaction = (SqliteTransaction)await this.connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    foreach (var item in events)
                    {
                        await this.WriteEventAsync(item, transaction, cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                return true;
            },
            cancellationToken);
    }

    /// <summary>Reads a session.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The session, or <see langword="null"/>.</returns>
    public Task<JsonObject?> GetSessionAsync(string sessionId, CancellationToken cancellationToken) =>
        this.RunAsync(() => this.ReadJsonAsync("SELECT json FROM sessions WHERE session_id = $id", sessionId, cancellationToken), cancellationToken);

    /// <summary>Reads an event, or a session by its event id (a session is an event of type <c>session</c>).</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The event, or <see langword="null"/>.</returns>
    public Task<JsonObject?> GetEventAsync(string eventId, CancellationToken cancellationToken) =>
        this.RunAsync(() => this.FindEventAsync(eventId, cancellationToken), cancellationToken);

    /// <summary>Updates a stored event (or session) in one step.</summary>
    /// <param name="eventId">The event id.</param>
    /// <param name="update">Builds the new event from the stored one.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="false"/> when no such event is stored.</returns>
    public Task<bool> UpdateEventAsync(string eventId, Func<JsonObject, JsonObject> update, CancellationToken cancellationToken)
    {
        return this.RunAsync(
            async () =>
            {
                var stored = await this.ReadJsonAsync("SELECT json FROM events WHERE event_id = $id", eventId, cancellationToken).ConfigureAwait(false);
                if (stored is not null)
                {
                    await this.WriteEventAsync(update(stored), null, cancellationToken).ConfigureAwait(false);
                    return true;
                }

                var session = await this.ReadJsonAsync("SELECT json FROM sessions WHERE session_id = $id", eventId, cancellationToken).ConfigureAwait(false);
                if (session is not null)
                {
                    await this.WriteSessionAsync(update(session), cancellationToken).ConfigureAwait(false);
                    return true;
                }

                return false;
            },
            cancellationToken);
    }

    /// <summary>Reads the events of a session, ordered by start time (events without one last), then insertion.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The events.</returns>
    public Task<List<JsonObject>> GetSessionEventsAsync(string sessionId, CancellationToken cancellationToken)
    {
        return this.RunAsync(
            async () =>
            {
                using var command = this.connection.CreateCommand();
                command.CommandText = "SELECT json FROM events WHERE session_id = $id ORDER BY start_time IS NULL, start_time, rowid";
                command.Parameters.AddWithValue("$id", sessionId);
                var events = new List<JsonObject>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        events.Add(JsonNode.Parse(reader.GetString(0))!.AsObject());
                    }
                }

                return events;
            },
            cancellationToken);
    }

    /// <summary>Counts sessions and events.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The counts.</returns>
    public Task<(long Sessions, long Events)> CountAsync(CancellationToken cancellationToken)
    {
        return this.RunAsync(
            async () =>
            {
                using var command = this.connection.CreateCommand();
                command.CommandText = "SELECT (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM events)";
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    return (reader.GetInt64(0), reader.GetInt64(1));
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await this.gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await this.connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            this.gate.Release();
            this.gate.Dispose();
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static object StartTimeOf(JsonObject document) =>
        document["start_time"] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : DBNull.Value;

    private async Task<T> RunAsync<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        await this.gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation().ConfigureAwait(false);
        }
        finally
        {
            this.gate.Release();
        }
    }

    private async Task<JsonObject?> FindEventAsync(string eventId, CancellationToken cancellationToken)
    {
        return await this.ReadJsonAsync("SELECT json FROM events WHERE event_id = $id", eventId, cancellationToken).ConfigureAwait(false)
            ?? await this.ReadJsonAsync("SELECT json FROM sessions WHERE session_id = $id", eventId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonObject?> ReadJsonAsync(string sql, string id, CancellationToken cancellationToken)
    {
        using var command = this.connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        var json = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return json is null ? null : JsonNode.Parse(json)!.AsObject();
    }

    private async Task WriteSessionAsync(JsonObject session, CancellationToken cancellationToken)
    {
        using var command = this.connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sessions (session_id, start_time, json) VALUES ($id, $start, $json)
            ON CONFLICT (session_id) DO UPDATE SET start_time = excluded.start_time, json = excluded.json
            """;
        command.Parameters.AddWithValue("$id", session["session_id"]!.GetValue<string>());
        command.Parameters.AddWithValue("$start", StartTimeOf(session));
        command.Parameters.AddWithValue("$json", session.ToJsonString());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteEventAsync(JsonObject item, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = this.connection.CreateCommand();
        command.Transaction = (SqliteTransaction?)transaction;
        command.CommandText = """
            INSERT INTO events (event_id, session_id, start_time, json) VALUES ($id, $session, $start, $json)
            ON CONFLICT (event_id) DO UPDATE SET session_id = excluded.session_id, start_time = excluded.start_time, json = excluded.json
            """;
        command.Parameters.AddWithValue("$id", item["event_id"]!.GetValue<string>());
        command.Parameters.AddWithValue("$session", item["session_id"]!.GetValue<string>());
        command.Parameters.AddWithValue("$start", StartTimeOf(item));
        command.Parameters.AddWithValue("$json", item.ToJsonString());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
