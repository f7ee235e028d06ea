package io.capstan.server.logstore;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
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

    @SqlUpdate("DELETE FROM log_entries WHERE subject_id = :subject")
    int deleteSubject(@Bind("subject") String subjectId);

    @SqlUpdate("DELETE FROM log_entries WHERE account_id = :account")
    int deleteAccount(@Bind("account") String accountId);
}
