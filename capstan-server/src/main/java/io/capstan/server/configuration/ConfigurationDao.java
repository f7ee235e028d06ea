package io.capstan.server.configuration;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Configuration.class)
public interface ConfigurationDao {
    String COLUMNS = "id, account_id, creator_id, name, visibility, options, description, created_at, updated_at";

    @SqlUpdate("INSERT INTO cluster_configurations (" + COLUMNS + ") VALUES (:id, :accountId, :creatorId, :name,"
            + " :visibility, :options, :description, :createdAt, :updatedAt)")
    void insert(@BindMethods Configuration configuration);

    @SqlUpdate("""
            UPDATE cluster_configurations SET visibility = :visibility, options = :options, description = :description,
                updated_at = :updatedAt
            WHERE id = :id
            """)
    void update(@BindMethods Configuration configuration);

    @SqlQuery("SELECT " + COLUMNS + " FROM cluster_configurations WHERE account_id = :account AND name = :name")
    Optional<Configuration> find(@Bind("account") String accountId, @Bind("name") String name);

    @SqlQuery("SELECT " + COLUMNS + " FROM cluster_configurations WHERE visibility = 'PUBLIC' OR account_id IN"
            + " (<accounts>) ORDER BY account_id, name")
    List<Configuration> listVisible(
            @BindList(value = "accounts", onEmpty = BindList.EmptyHandling.NULL_STRING) List<String> accountIds);

    @SqlUpdate("DELETE FROM cluster_configurations WHERE id = :id")
    int delete(@Bind("id") String id);
}
