package io.capstan.server.keyring;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(DataKeyRotation.class)
public interface DataKeyRotationDao {
    String COLUMNS = "id, scope, state, phase, column_index, last_row_id, rows_scanned, rows_reencrypted, rows_total,"
            + " error, started_at, updated_at, finished_at";

    @SqlUpdate("""
            INSERT INTO data_key_rotations (id, scope, state, phase, column_index, last_row_id, rows_scanned,
                rows_reencrypted, rows_total, error, started_at, updated_at, finished_at)
            VALUES (:id, :scope, :state, :phase, :columnIndex, :lastRowId, :rowsScanned, :rowsReencrypted,
                :rowsTotal, :error, :startedAt, :updatedAt, :finishedAt)
            """)
    void insert(@BindMethods DataKeyRotation rotation);

    @SqlUpdate("""
            UPDATE data_key_rotations SET state = :state, phase = :phase, column_index = :columnIndex,
                last_row_id = :lastRowId, rows_scanned = :rowsScanned, rows_reencrypted = :rowsReencrypted,
                error = :error, updated_at = :updatedAt, finished_at = :finishedAt
            WHERE id = :id
            """)
    void update(@BindMethods DataKeyRotation rotation);

    @SqlQuery("SELECT " + COLUMNS + " FROM data_key_rotations WHERE id = :id")
    Optional<DataKeyRotation> find(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM data_key_rotations WHERE state = 'running' ORDER BY started_at")
    List<DataKeyRotation> running();

    @SqlQuery("SELECT " + COLUMNS + " FROM data_key_rotations ORDER BY started_at DESC, id")
    List<DataKeyRotation> list();

    @SqlQuery("SELECT count(*) FROM data_key_rotations WHERE state = 'running'")
    long countRunning();

    @SqlUpdate("DELETE FROM data_key_rotations WHERE started_at < :before AND state <> 'running'")
    int deleteFinishedBefore(@Bind("before") Instant before);
}
