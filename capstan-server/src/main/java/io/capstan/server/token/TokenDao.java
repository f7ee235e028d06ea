package io.capstan.server.token;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(ApiToken.class)
public interface TokenDao {
    String COLUMNS = "id, user_id, name, prefix, secret_hash, scope, created_at, expires_at, last_used_at, revoked_at";

    @SqlUpdate("""
            INSERT INTO api_tokens (id, user_id, name, prefix, secret_hash, scope, created_at, expires_at)
            VALUES (:id, :userId, :name, :prefix, :secretHash, :scope, :createdAt, :expiresAt)
            """)
    void insert(@BindMethods ApiToken token);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE secret_hash = :hash")
    Optional<ApiToken> findByHash(@Bind("hash") String hash);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE id = :id")
    Optional<ApiToken> findById(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE user_id = :userId ORDER BY created_at, id")
    List<ApiToken> listByUser(@Bind("userId") String userId);

    /** Revokes the token unless it already was; returns whether this call revoked it. */
    @SqlUpdate("UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
    int revoke(@Bind("id") String id, @Bind("now") Instant now);

    /** Records a use, at most once a minute per token, so that authentication is not a write per request. */
    @SqlUpdate("""
            UPDATE api_tokens SET last_used_at = :now
            WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :staleBefore)
            """)
    int touch(@Bind("id") String id, @Bind("now") Instant now, @Bind("staleBefore") Instant staleBefore);
}
