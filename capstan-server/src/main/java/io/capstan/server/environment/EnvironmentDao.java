package io.capstan.server.environment;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Environment.class)
public interface EnvironmentDao {
    String COLUMNS = "id, account_id, creator_id, name, visibility, python_executable, image, packages, description,"
            + " created_at, updated_at";

    @SqlUpdate("INSERT INTO environments (" + COLUMNS + ") VALUES (:id, :accountId, :creatorId, :name, :visibility,"
            + " :pythonExecutable, :image, :packages, :description, :createdAt, :updatedAt)")
    void insert(@BindMethods Environment environment);

    @SqlUpdate("""
            UPDATE environments SET visibility = :visibility, packages = :packages, description = :description,
                updated_at = :updatedAt
            WHERE id = :id
            """)
    void update(@BindMethods Environment environment);

    @SqlQuery("SELECT " + COLUMNS + " FROM environments WHERE account_id = :account AND name = :name")
    Optional<Environment> find(@Bind("account") String accountId, @Bind("name") String name);

    @SqlQuery("SELECT " + COLUMNS + " FROM environments WHERE id = :id")
    Optional<Environment> findById(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM environments WHERE visibility = 'PUBLIC' OR account_id IN (<accounts>)"
            + " ORDER BY account_id, name")
    List<Environment> listVisible(
            @BindList(value = "accounts", onEmpty = BindList.EmptyHandling.NULL_STRING) List<String> accountIds);

    @SqlUpdate("DELETE FROM environments WHERE id = :id")
    int delete(@Bind("id") String id);
}
