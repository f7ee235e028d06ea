package io.capstan.server.user;

import io.capstan.server.keyring.Keyring;
import io.capstan.server.store.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Many users at once, written straight to the store the way the API writes them (emails encrypted). */
public final class TestingUsers {
    private TestingUsers() {}

    /** Inserts users {@code prefix-0 … prefix-(count-1)} with emails {@code prefix-N@example.com}; returns their ids. */
    public static List<String> insert(Database database, Keyring keyring, String prefix, int count) {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            users.add(UserService.newUser(
                    keyring, prefix + "-" + i, prefix + "-" + i + "@example.com", false, Instant.now()));
        }
        database.jdbi().useTransaction(handle -> {
            UserDao dao = handle.attach(UserDao.class);
            users.forEach(dao::insert);
        });
        return users.stream().map(User::id).toList();
    }

    /** Every user's email, decrypted: fails if any does not decrypt. */
    public static List<String> emails(Database database, Keyring keyring) {
        return database.jdbi().onDemand(UserDao.class).list().stream()
                .map(user ->
                        keyring.decryptString(user.id(), UserService.emailLocation(user.id()), user.emailCiphertext()))
                .toList();
    }

    /** Whether every stored email is under its owner's primary data key. */
    public static boolean allUnderPrimary(Database database, Keyring keyring) {
        return database.jdbi().onDemand(UserDao.class).list().stream()
                .allMatch(user -> keyring.isUnderPrimary(user.id(), user.emailCiphertext()));
    }
}
