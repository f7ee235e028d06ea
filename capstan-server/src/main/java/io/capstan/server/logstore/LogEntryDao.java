package io.capstan.server.logstore;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(LogEntry.class)
public interface LogEntryDao {
    String COLUMNS = "id, account_id, subject_id, kind, source, at, message_ciphertext";

    @SqlQuery("SELECT nextval('log_entry_ids')")
    long nextId();

    @SqlBatch("""
            INSERT INTO log_entries (id, account_id, subject_id, kind, source, at, message_ciphertext)
            VALUES (:id, :accountId, :subjectId, :kind, :source, :at, :messageCiphertext)
            """)
    void insert(@BindMethods List<LogEntry> entries);

    @SqlQuery("SELECT " + COLUMNS + " FROM log_entries WHERE subject_id = :subject AND kind = :kind AND id > :after"
            + " AND at >= :since ORDER BY id LIMIT :limit")
    List<LogEntry> read(
            @Bind("subject") String subjectId,
            @Bind("kind") String kind,
            @Bind("after") long afterId,
            @Bind("since") Instant since,
            @Bind("limit") int limit);

    @SqlQuery("SELECT " + COLUMNS + " FROM log_entries WHERE subject_id = :subject AND kind = :kind AND id > :after"
            + " AND at >= :since AND source LIKE :sources ORDER BY id LIMIT :limit")
    List<LogEntry> readSources(
            @Bind("subject") String subjectId,
            @Bind("kind") String kind,
            @Bind("after") long afterId,
            @Bind("since") Instant since,
            @Bind("sources") String sourcePattern,
            @Bind("limit") int limit);

    /**
     * Locks up to {@code limit} entries older than {@code before} for the caller's transaction, skipping entries
     * another transaction has locked, so that two retention runs at once take disjoint batches instead of waiting
     * on (or deadlocking over) each other's rows.
     */
    @SqlQuery("SELECT id FROM log_entries WHERE at < :before ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED")
    List<Long> lockOlderThan(@Bind("before") Instant before, @Bind("limit") int limit);

    @SqlUpdate("DELETE FROM log_entries WHERE id IN (<ids>)")
    int delete(@BindList("ids") List<Long> ids);

    @SqlQuery("SELECT count(*) FROM log_entries WHERE account_id IN (<accounts>)")
    long countForAccounts(
            @BindList(value = "accounts", onEmpty = BindList.EmptyHandling.NULL_STRING) List<String> accountIds);

    @SqlUpdate("DELETE FROM log_entries WHERE subject_id = :subject")
    int deleteSubject(@Bind("subject") String subjectId);

    @SqlUpdate("DELETE FROM log_entries WHERE account_id = :account")
    int deleteAccount(@Bind("account") String accountId);
}
