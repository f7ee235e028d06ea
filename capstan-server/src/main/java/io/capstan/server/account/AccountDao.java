package io.capstan.server.account;

import io.capstan.api.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(Account.class)
@RegisterConstructorMapper(Membership.class)
public interface AccountDao {
    String MEMBERSHIP_SELECT = """
            SELECT m.account_id, a.name AS account_name, m.user_id, u.username, m.role, m.created_at
            FROM memberships m
            JOIN accounts a ON a.id = m.account_id
            JOIN users u ON u.id = m.user_id
            """;

    String COLUMNS = "id, name, created_at, quota_clusters, quota_workers, quota_cores";

    @SqlUpdate("""
            INSERT INTO accounts (id, name, created_at, quota_clusters, quota_workers, quota_cores)
            VALUES (:id, :name, :createdAt, :quotaClusters, :quotaWorkers, :quotaCores)
            """)
    void insert(@BindMethods Account account);

    @SqlQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name")
    Optional<Account> findByName(@Bind("name") String name);

    @SqlQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id")
    Optional<Account> findById(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM accounts ORDER BY name")
    List<Account> list();

    @SqlQuery("""
            SELECT a.id, a.name, a.created_at, a.quota_clusters, a.quota_workers, a.quota_cores FROM accounts a
            JOIN memberships m ON m.account_id = a.id
            WHERE m.user_id = :userId ORDER BY a.name
            """)
    List<Account> listForUser(@Bind("userId") String userId);

    @SqlQuery(MEMBERSHIP_SELECT + " WHERE m.account_id = :accountId ORDER BY u.username")
    List<Membership> members(@Bind("accountId") String accountId);

    @SqlQuery(MEMBERSHIP_SELECT + " WHERE m.user_id = :userId ORDER BY a.name")
    List<Membership> membershipsOf(@Bind("userId") String userId);

    @SqlQuery(MEMBERSHIP_SELECT + " WHERE m.account_id = :accountId AND m.user_id = :userId")
    Optional<Membership> findMembership(@Bind("accountId") String accountId, @Bind("userId") String userId);

    @SqlUpdate("""
            INSERT INTO memberships (account_id, user_id, role, created_at)
            VALUES (:accountId, :userId, :role, :now)
            """)
    void insertMembership(
            @Bind("accountId") String accountId,
            @Bind("userId") String userId,
            @Bind("role") Role role,
            @Bind("now") Instant now);

    /** Serialises the changes to one account's clusters (names, quotas) across threads and servers. */
    @SqlQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE")
    Optional<String> lock(@Bind("id") String id);

    @SqlUpdate("""
            UPDATE accounts SET quota_clusters = :clusters, quota_workers = :workers, quota_cores = :cores
            WHERE id = :id
            """)
    int setQuota(
            @Bind("id") String id,
            @Bind("clusters") int clusters,
            @Bind("workers") int workers,
            @Bind("cores") int cores);

    @SqlUpdate("DELETE FROM accounts WHERE id = :id")
    int delete(@Bind("id") String id);

    @SqlQuery("SELECT count(*) FROM accounts WHERE id = :id")
    long countById(@Bind("id") String id);

    @SqlUpdate("UPDATE memberships SET role = :role WHERE account_id = :accountId AND user_id = :userId")
    int updateRole(@Bind("accountId") String accountId, @Bind("userId") String userId, @Bind("role") Role role);

    @SqlUpdate("DELETE FROM memberships WHERE account_id = :accountId AND user_id = :userId")
    int deleteMembership(@Bind("accountId") String accountId, @Bind("userId") String userId);
}
