package io.capstan.server.awscredentials;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The AWS credentials of clusters, and the AWS role of accounts. */
@RegisterConstructorMapper(StoredCredentials.class)
public interface AwsCredentialsDao {
    String COLUMNS = """
            cluster_id, account_id, source, credentials_ciphertext, expires_at, refreshed_at, refresh_after,
            refresh_problem, token_hash, token_ciphertext
            """;

    @SqlUpdate("INSERT INTO aws_credentials (" + COLUMNS + """
            ) VALUES (:clusterId, :accountId, :source, :credentialsCiphertext, :expiresAt, :refreshedAt,
            :refreshAfter, :refreshProblem, :tokenHash, :tokenCiphertext)
            """)
    void insert(@BindMethods StoredCredentials credentials);

    @SqlQuery("SELECT " + COLUMNS + " FROM aws_credentials WHERE cluster_id = :cluster")
    Optional<StoredCredentials> find(@Bind("cluster") String clusterId);

    @SqlQuery("SELECT " + COLUMNS + " FROM aws_credentials WHERE token_hash = :hash")
    Optional<StoredCredentials> findByTokenHash(@Bind("hash") String tokenHash);

    @SqlQuery("SELECT " + COLUMNS + " FROM aws_credentials WHERE source = 'account-role' AND refresh_after <= :now"
            + " ORDER BY refresh_after, cluster_id")
    List<StoredCredentials> dueForRefresh(@Bind("now") Instant now);

    @SqlUpdate("""
            UPDATE aws_credentials SET credentials_ciphertext = :ciphertext, expires_at = :expiresAt,
                refreshed_at = :now, refresh_after = :refreshAfter, refresh_problem = NULL, expiry_announced = FALSE
            WHERE cluster_id = :cluster
            """)
    int replace(
            @Bind("cluster") String clusterId,
            @Bind("ciphertext") Ciphertext ciphertext,
            @Bind("expiresAt") Instant expiresAt,
            @Bind("now") Instant now,
            @Bind("refreshAfter") Instant refreshAfter);

    /** Credentials that expired and whose expiry no event has announced yet. */
    @SqlQuery("SELECT " + COLUMNS + " FROM aws_credentials WHERE expires_at <= :now AND expiry_announced = FALSE"
            + " ORDER BY expires_at, cluster_id")
    List<StoredCredentials> expiredUnannounced(@Bind("now") Instant now);

    /** Marks the expiry of these very credentials announced; 0 if newer ones replaced them meanwhile. */
    @SqlUpdate("""
            UPDATE aws_credentials SET expiry_announced = TRUE
            WHERE cluster_id = :cluster AND expires_at = :expiresAt AND expiry_announced = FALSE
            """)
    int announceExpiry(@Bind("cluster") String clusterId, @Bind("expiresAt") Instant expiresAt);

    @SqlUpdate("""
            UPDATE aws_credentials SET refresh_after = :retryAt, refresh_problem = :problem
            WHERE cluster_id = :cluster
            """)
    int recordRefreshProblem(
            @Bind("cluster") String clusterId, @Bind("retryAt") Instant retryAt, @Bind("problem") String problem);

    @SqlUpdate("DELETE FROM aws_credentials WHERE cluster_id = :cluster")
    int delete(@Bind("cluster") String clusterId);

    /** The account's AWS role, if it has one. */
    record AccountRole(String roleArn, Optional<String> sessionPolicy) {}

    @SqlQuery("SELECT aws_role_arn AS role_arn, aws_session_policy AS session_policy FROM accounts WHERE id = :account"
            + " AND aws_role_arn IS NOT NULL")
    @RegisterConstructorMapper(AccountRole.class)
    Optional<AccountRole> accountRole(@Bind("account") String accountId);

    @SqlUpdate("UPDATE accounts SET aws_role_arn = :arn, aws_session_policy = :policy WHERE id = :account")
    int setAccountRole(
            @Bind("account") String accountId,
            @Bind("arn") String roleArn,
            @Bind("policy") Optional<String> sessionPolicy);

    @SqlUpdate("UPDATE accounts SET aws_role_arn = NULL, aws_session_policy = NULL WHERE id = :account")
    int clearAccountRole(@Bind("account") String accountId);
}
