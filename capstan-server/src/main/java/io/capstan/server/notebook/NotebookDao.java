package io.capstan.server.notebook;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Notebook.class)
public interface NotebookDao {
    String COLUMNS = "id, account_id, creator_id, name, visibility, content_ciphertext, size_bytes, cells, created_at,"
            + " updated_at";

    @SqlUpdate("INSERT INTO notebooks (" + COLUMNS + ") VALUES (:id, :accountId, :creatorId, :name, :visibility,"
            + " :contentCiphertext, :sizeBytes, :cells, :createdAt, :updatedAt)")
    void insert(@BindMethods Notebook notebook);

    @SqlUpdate("""
            UPDATE notebooks SET visibility = :visibility, content_ciphertext = :contentCiphertext,
                size_bytes = :sizeBytes, cells = :cells, updated_at = :updatedAt
            WHERE id = :id
            """)
    void update(@BindMethods Notebook notebook);

    @SqlQuery("SELECT " + COLUMNS + " FROM notebooks WHERE account_id = :account AND name = :name")
    Optional<Notebook> find(@Bind("account") String accountId, @Bind("name") String name);

    @SqlQuery("SELECT " + COLUMNS + " FROM notebooks WHERE visibility = 'PUBLIC' OR account_id IN (<accounts>)"
            + " ORDER BY account_id, name")
    List<Notebook> listVisible(
            @BindList(value = "accounts", onEmpty = BindList.EmptyHandling.NULL_STRING) List<String> accountIds);

    @SqlUpdate("DELETE FROM notebooks WHERE id = :id")
    int delete(@Bind("id") String id);
}
