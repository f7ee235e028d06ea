package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import io.capstan.api.admin.DataKeyRotationView;
import io.capstan.server.CapstanException;
import io.capstan.server.internal.Ids;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates data keys: a new key version becomes primary for the owners in scope, every stored value of theirs is
 * re-encrypted under it in the background, and the old versions are destroyed once no value uses them. Progress
 * is committed with each batch of re-encrypted rows, in the same transaction, so a rotation interrupted at any
 * point (a crash, a stop) resumes exactly where it was when the server starts again. One rotation runs at a time.
 */
public final class DataKeyRotationService {
    private static final Logger log = LoggerFactory.getLogger(DataKeyRotationService.class);

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final List<EncryptedColumn> columns;
    private final ExecutorService executor;
    private final Clock clock;
    private final int batchSize;

    public DataKeyRotationService(
            Jdbi jdbi,
            Keyring keyring,
            List<EncryptedColumn> columns,
            ExecutorService executor,
            Clock clock,
            int batchSize) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.columns = List.copyOf(columns);
        this.executor = requireNonNull(executor, "executor is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.batchSize = batchSize;
    }

    /** Starts a rotation for {@code ownerId}, or for every owner when empty. */
    public DataKeyRotationView start(Optional<String> ownerId) {
        DataKeyRotation rotation = jdbi.inTransaction(handle -> {
            DataKeyRotationDao rotations = handle.attach(DataKeyRotationDao.class);
            if (rotations.countRunning() > 0) {
                throw CapstanException.invalidState("a data key rotation is already running; wait for it to finish");
            }
            DataKeyRotation created = new DataKeyRotation(
                    Ids.newId("rot"),
                    ownerId.orElse(DataKeyRotation.ALL),
                    DataKeyRotation.RUNNING,
                    DataKeyRotation.KEYS,
                    0,
                    Optional.of(""),
                    0,
                    0,
                    countRows(handle, ownerId),
                    Optional.empty(),
                    clock.instant(),
                    clock.instant(),
                    Optional.empty());
            rotations.insert(created);
            return created;
        });
        submit(rotation.id());
        return view(rotation);
    }

    /** Picks up the rotations a previous run of the server left unfinished. */
    public void resumeUnfinished() {
        for (DataKeyRotation rotation : jdbi.onDemand(DataKeyRotationDao.class).running()) {
            log.info(
                    "resuming data key rotation {} at phase {}, column {}",
                    rotation.id(),
                    rotation.phase(),
                    rotation.columnIndex());
            submit(rotation.id());
        }
    }

    public DataKeyRotationView get(String id) {
        return jdbi.onDemand(DataKeyRotationDao.class)
                .find(id)
                .map(DataKeyRotationService::view)
                .orElseThrow(() -> CapstanException.notFound("data key rotation '" + id + "'"));
    }

    public List<DataKeyRotationView> list() {
        return jdbi.onDemand(DataKeyRotationDao.class).list().stream()
                .map(DataKeyRotationService::view)
                .toList();
    }

    private void submit(String id) {
        try {
            executor.execute(() -> run(id));
        } catch (RejectedExecutionException e) {
            log.info("data key rotation {} will resume at the next start", id);
        }
    }

    private void run(String id) {
        DataKeyRotationDao rotations = jdbi.onDemand(DataKeyRotationDao.class);
        DataKeyRotation rotation = rotations.find(id).orElseThrow();
        try {
            Optional<String> owner = scopeOwner(rotation);
            while (rotation.state().equals(DataKeyRotation.RUNNING)) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                rotation = switch (rotation.phase()) {
                    case DataKeyRotation.KEYS -> rotateKeys(rotation, owner);
                    case DataKeyRotation.REENCRYPT -> reencryptBatch(rotation, owner);
                    case DataKeyRotation.RETIRE -> retire(rotation, owner);
                    default -> throw new IllegalStateException("unknown phase " + rotation.phase());
                };
            }
            log.info(
                    "data key rotation {} finished: {} of {} values re-encrypted",
                    id,
                    rotation.rowsReencrypted(),
                    rotation.rowsScanned());
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || isInterruption(e)) {
                log.info("data key rotation {} stopped; it resumes at the next start", id);
                return;
            }
            log.error("data key rotation {} failed", id, e);
            rotations.update(withState(
                    rotation,
                    DataKeyRotation.FAILED,
                    rotation.phase(),
                    Optional.of(e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()))));
        }
    }

    private static boolean isInterruption(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException
                    || cause instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /** Phase 1: a new primary data key for every owner in scope (owners with two versions already were done). */
    private DataKeyRotation rotateKeys(DataKeyRotation rotation, Optional<String> owner) {
        List<String> owners = owner.map(List::of).orElseGet(keyring::owners);
        for (String each : owners) {
            if (keyring.dataKeyVersions(each) == 1) {
                keyring.addDataKeyVersion(each);
            }
        }
        DataKeyRotation next = advance(rotation, DataKeyRotation.REENCRYPT, 0, "");
        jdbi.onDemand(DataKeyRotationDao.class).update(next);
        return next;
    }

    /** Phase 2, one batch: re-encrypts the rows after the last one done, and records how far it got. */
    private DataKeyRotation reencryptBatch(DataKeyRotation rotation, Optional<String> owner) {
        if (rotation.columnIndex() >= columns.size()) {
            DataKeyRotation next = advance(rotation, DataKeyRotation.RETIRE, rotation.columnIndex(), "");
            jdbi.onDemand(DataKeyRotationDao.class).update(next);
            return next;
        }
        EncryptedColumn column = columns.get(rotation.columnIndex());
        return jdbi.inTransaction(handle -> {
            List<Row> rows = rows(handle, column, owner, rotation.lastRowId().orElse(""), batchSize);
            int reencrypted = 0;
            for (Row row : rows) {
                if (keyring.hasDataKey(row.owner()) && !keyring.isUnderPrimary(row.owner(), row.ciphertext())) {
                    byte[] plaintext = keyring.decrypt(row.owner(), column.location(row.id()), row.ciphertext());
                    Ciphertext fresh = keyring.encrypt(row.owner(), column.location(row.id()), plaintext);
                    reencrypted += handle.createUpdate("UPDATE " + column.table() + " SET " + column.ciphertextColumn()
                                    + " = :fresh WHERE " + column.idColumn() + " = :id AND " + column.ciphertextColumn()
                                    + " = :old")
                            .bind("fresh", fresh)
                            .bind("id", row.id())
                            .bind("old", row.ciphertext())
                            .execute();
                }
            }
            DataKeyRotation next = rows.size() < batchSize
                    ? advance(rotation, DataKeyRotation.REENCRYPT, rotation.columnIndex() + 1, "")
                    : advance(
                            rotation,
                            DataKeyRotation.REENCRYPT,
                            rotation.columnIndex(),
                            rows.get(rows.size() - 1).id());
            next = new DataKeyRotation(
                    next.id(),
                    next.scope(),
                    next.state(),
                    next.phase(),
                    next.columnIndex(),
                    next.lastRowId(),
                    rotation.rowsScanned() + rows.size(),
                    rotation.rowsReencrypted() + reencrypted,
                    next.rowsTotal(),
                    next.error(),
                    next.startedAt(),
                    next.updatedAt(),
                    next.finishedAt());
            handle.attach(DataKeyRotationDao.class).update(next);
            return next;
        });
    }

    /** Phase 3: destroys the old versions once no value uses them; otherwise back to re-encrypting. */
    private DataKeyRotation retire(DataKeyRotation rotation, Optional<String> owner) {
        long stale = jdbi.withHandle(handle -> {
            long count = 0;
            for (EncryptedColumn column : columns) {
                String after = "";
                while (true) {
                    List<Row> rows = rows(handle, column, owner, after, 1000);
                    for (Row row : rows) {
                        if (keyring.hasDataKey(row.owner()) && !keyring.isUnderPrimary(row.owner(), row.ciphertext())) {
                            count++;
                        }
                    }
                    if (rows.size() < 1000) {
                        break;
                    }
                    after = rows.get(rows.size() - 1).id();
                }
            }
            return count;
        });
        DataKeyRotationDao rotations = jdbi.onDemand(DataKeyRotationDao.class);
        if (stale > 0) {
            DataKeyRotation again = advance(rotation, DataKeyRotation.REENCRYPT, 0, "");
            rotations.update(again);
            return again;
        }
        for (String each : owner.map(List::of).orElseGet(keyring::owners)) {
            keyring.retireOldDataKeyVersions(each);
        }
        DataKeyRotation done = new DataKeyRotation(
                rotation.id(),
                rotation.scope(),
                DataKeyRotation.DONE,
                DataKeyRotation.RETIRE,
                rotation.columnIndex(),
                rotation.lastRowId(),
                rotation.rowsScanned(),
                rotation.rowsReencrypted(),
                rotation.rowsTotal(),
                Optional.empty(),
                rotation.startedAt(),
                clock.instant(),
                Optional.of(clock.instant()));
        rotations.update(done);
        return done;
    }

    private record Row(String id, String owner, Ciphertext ciphertext) {}

    private static List<Row> rows(
            Handle handle, EncryptedColumn column, Optional<String> owner, String after, int limit) {
        String sql = "SELECT " + column.idColumn() + " AS id, " + column.ownerColumn() + " AS owner, "
                + column.ciphertextColumn() + " AS ciphertext FROM " + column.table() + " WHERE "
                + column.idColumn() + " > :after"
                + (owner.isPresent() ? " AND " + column.ownerColumn() + " = :owner" : "") + " AND "
                + column.ciphertextColumn() + " IS NOT NULL ORDER BY " + column.idColumn()
                + " LIMIT :limit";
        var query = handle.createQuery(sql).bind("limit", limit);
        if (column.numericId()) {
            query.bind("after", after.isEmpty() ? Long.MIN_VALUE : Long.parseLong(after));
        } else {
            query.bind("after", after);
        }
        owner.ifPresent(value -> query.bind("owner", value));
        return query.map((results, context) -> new Row(
                        results.getString("id"),
                        results.getString("owner"),
                        Ciphertext.of(results.getBytes("ciphertext"))))
                .list();
    }

    private long countRows(Handle handle, Optional<String> owner) {
        long total = 0;
        for (EncryptedColumn column : columns) {
            var query = handle.createQuery("SELECT count(*) FROM " + column.table() + " WHERE "
                    + column.ciphertextColumn() + " IS NOT NULL"
                    + (owner.isPresent() ? " AND " + column.ownerColumn() + " = :owner" : ""));
            owner.ifPresent(value -> query.bind("owner", value));
            total += query.mapTo(Long.class).one();
        }
        return total;
    }

    private static Optional<String> scopeOwner(DataKeyRotation rotation) {
        return rotation.scope().equals(DataKeyRotation.ALL) ? Optional.empty() : Optional.of(rotation.scope());
    }

    private DataKeyRotation advance(DataKeyRotation rotation, String phase, int columnIndex, String lastRowId) {
        return new DataKeyRotation(
                rotation.id(),
                rotation.scope(),
                rotation.state(),
                phase,
                columnIndex,
                Optional.of(lastRowId),
                rotation.rowsScanned(),
                rotation.rowsReencrypted(),
                rotation.rowsTotal(),
                rotation.error(),
                rotation.startedAt(),
                clock.instant(),
                rotation.finishedAt());
    }

    private DataKeyRotation withState(DataKeyRotation rotation, String state, String phase, Optional<String> error) {
        return new DataKeyRotation(
                rotation.id(),
                rotation.scope(),
                state,
                phase,
                rotation.columnIndex(),
                rotation.lastRowId(),
                rotation.rowsScanned(),
                rotation.rowsReencrypted(),
                rotation.rowsTotal(),
                error,
                rotation.startedAt(),
                clock.instant(),
                Optional.of(clock.instant()));
    }

    static DataKeyRotationView view(DataKeyRotation rotation) {
        return new DataKeyRotationView(
                rotation.id(),
                rotation.scope(),
                rotation.state(),
                rotation.phase(),
                rotation.rowsScanned(),
                rotation.rowsReencrypted(),
                rotation.rowsTotal(),
                rotation.startedAt(),
                rotation.finishedAt(),
                rotation.error());
    }
}
