package io.capstan.server.user;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(User.class)
public interface UserDao {
    String COLUMNS = "id, username, email_ciphertext, server_admin, created_at";

    @SqlUpdate("""
            INSERT INTO users (id, username, email_ciphertext, server_admin, created_at)
            VALUES (:id, :username, :emailCiphertext, :serverAdmin, :createdAt)
            """)
    void insert(@BindMethods User user);

    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE id = :id")
    Optional<User> findById(@Bind("id") String id);

    @SqlQuery("SELECT " + COLUMNS + " FROM users WHERE username = :username")
    Optional<User> findByUsername(@Bind("username") String username);

    @SqlQuery("SELECT " + COLUMNS + " FROM users ORDER BY username")
    List<User> list();

    @SqlQuery("SELECT count(*) FROM users")
    long count();
}
