package io.capstan.server.user;

import io.capstan.server.keyring.Ciphertext;
import java.time.Instant;

/**
 * A person who signs in with API tokens. A server administrator manages accounts and users. The email is stored
 * encrypted under the user's own data key; {@link UserService} decrypts it for the few answers that show it.
 */
public record User(String id, String username, Ciphertext emailCiphertext, boolean serverAdmin, Instant createdAt) {}
