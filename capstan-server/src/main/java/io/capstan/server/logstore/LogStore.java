package io.capstan.server.logstore;

import static java.util.Objects.requireNonNull;

import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.privacy.StoredData;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The log store: events (a cluster changed state, a certificate was issued) and the output of cluster processes,
 * each message encrypted under its account's data key, so that deleting the account shreds them too. Entries are
 * ordered by id, which readers use as a cursor ({@code --follow}). Thread-safe.
 */
public final class LogStore {
    public static final List<EncryptedColumn> ENCRYPTED_COLUMNS =
            List.of(new EncryptedColumn("log_entries", "id", "message_ciphertext", "account_id", "message", true));

    /** What this store keeps, for the privacy report; entries are removed after {@code retention}. */
    public static StoredData storedData(java.time.Duration retention) {
        return new StoredData(
                "Logs and events",
                "Output of your clusters' processes (node, stream, time, line) and the event log of clusters,"
                        + " software environments, configurations and notebooks",
                List.of("log_entries", "log_cursors"),
                ENCRYPTED_COLUMNS,
                StoredData.Retention.removedAfter(retention),
                "SELECT COUNT(*) FROM log_entries WHERE account_id IN (<accounts>)");
    }

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final Clock clock;

    public LogStore(Jdbi jdbi, Keyring keyring, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A message to store, before it has an id. */
    public record Message(String kind, String source, Instant at, String text) {}

    /** A stored entry, decrypted for its reader. */
    public record Entry(long id, String kind, String source, Instant at, String text) {}

    public void event(String accountId, String subjectId, String source, String text) {
        jdbi.useTransaction(handle -> append(
                handle, accountId, subjectId, List.of(new Message(LogEntry.EVENT, source, clock.instant(), text))));
    }

    /** Records an event inside the caller's transaction, so it is stored exactly when the change it describes is. */
    public void event(Handle handle, String accountId, String subjectId, String source, String text) {
        append(handle, accountId, subjectId, List.of(new Message(LogEntry.EVENT, source, clock.instant(), text)));
    }

    public void append(String accountId, String subjectId, List<Message> messages) {
        jdbi.useTransaction(handle -> append(handle, accountId, subjectId, messages));
    }

    /** Appends inside the caller's transaction, so the messages are stored exactly when what goes with them is. */
    public void append(Handle handle, String accountId, String subjectId, List<Message> messages) {
        LogEntryDao entries = handle.attach(LogEntryDao.class);
        List<LogEntry> rows = new ArrayList<>(messages.size());
        for (Message message : messages) {
            long id = entries.nextId();
            rows.add(new LogEntry(
                    id,
                    accountId,
                    subjectId,
                    message.kind(),
                    message.source(),
                    message.at(),
                    keyring.encryptString(accountId, location(id), message.text())));
        }
        entries.insert(rows);
    }

    /** Entries of {@code subjectId} after the cursor {@code afterId}, oldest first. */
    public List<Entry> read(String accountId, String subjectId, String kind, long afterId, Instant since, int limit) {
        List<LogEntry> rows = jdbi.onDemand(LogEntryDao.class).read(subjectId, kind, afterId, since, limit);
        List<Entry> entries = new ArrayList<>(rows.size());
        for (LogEntry row : rows) {
            entries.add(new Entry(
                    row.id(),
                    row.kind(),
                    row.source(),
                    row.at(),
                    keyring.decryptString(accountId, location(row.id()), row.messageCiphertext())));
        }
        return List.copyOf(entries);
    }

    /** Lines written by {@code node} (or by every node, when empty) of {@code subjectId}, after the cursor. */
    public List<Entry> readLines(
            String accountId, String subjectId, Optional<String> node, long afterId, Instant since, int limit) {
        String pattern = node.map(name -> name.replace("%", "").replace("_", "\\_") + ".%")
                .orElse("%");
        List<LogEntry> rows =
                jdbi.onDemand(LogEntryDao.class).readSources(subjectId, LogEntry.LOG, afterId, since, pattern, limit);
        List<Entry> entries = new ArrayList<>(rows.size());
        for (LogEntry row : rows) {
            entries.add(new Entry(
                    row.id(),
                    row.kind(),
                    row.source(),
                    row.at(),
                    keyring.decryptString(accountId, location(row.id()), row.messageCiphertext())));
        }
        return List.copyOf(entries);
    }

    static FieldLocation location(long id) {
        return ENCRYPTED_COLUMNS.get(0).location(Long.toString(id));
    }
}
