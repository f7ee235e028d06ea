package io.capstan.server.keyring;

import java.util.Optional;

/**
 * Where the master key comes from: a key file in the data directory (the default), the environment variable
 * {@code CAPSTAN_MASTER_KEY}, or AWS KMS. Every message about the key names the source, so an operator knows what
 * was tried.
 */
public interface MasterKeySource {
    /** For people: {@code key file /var/lib/capstan/keyring/master-key.json}, and so on. */
    String description();

    /** The key, or empty if this source holds none yet (only possible for a key file that was never created). */
    Optional<MasterKey> load();

    /** Creates the key on the first start of an installation. Sources that cannot create keys refuse. */
    MasterKey create();

    /**
     * Adds a new version that becomes primary and returns the key with it, or empty when this source cannot add
     * versions itself (an environment variable; KMS rotates its own key material).
     */
    Optional<MasterKey> addVersion(MasterKey current);

    /**
     * Destroys every version but {@code keep}, when nothing depends on them any more, and returns the key that is
     * left. Sources that cannot change their key return it as it is.
     */
    MasterKey retireAllBut(MasterKey current, String keep);

    /** What an operator must do to remove old versions this source cannot remove itself; empty if nothing. */
    default Optional<String> retirementAdvice(MasterKey current) {
        return Optional.empty();
    }
}
