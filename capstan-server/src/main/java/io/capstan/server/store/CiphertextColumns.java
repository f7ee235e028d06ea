package io.capstan.server.store;

import io.capstan.server.keyring.Ciphertext;
import java.sql.Types;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;

/** Lets DAOs bind and read {@link Ciphertext} as a binary column ({@code BYTEA}) on both databases. */
final class CiphertextColumns {
    private CiphertextColumns() {}

    static void register(Jdbi jdbi) {
        jdbi.registerColumnMapper(Ciphertext.class, (results, column, context) -> {
            byte[] bytes = results.getBytes(column);
            return bytes == null ? null : Ciphertext.of(bytes);
        });
        jdbi.registerArgument(new AbstractArgumentFactory<Ciphertext>(Types.VARBINARY) {
            @Override
            protected Argument build(Ciphertext value, ConfigRegistry config) {
                return (position, statement, context) -> statement.setBytes(position, value.bytes());
            }
        });
    }
}
