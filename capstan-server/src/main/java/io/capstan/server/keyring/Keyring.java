package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.KeysetHandle;
import io.capstan.api.ErrorCode;
import io.capstan.server.CapstanException;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envelope encryption for everything Capstan stores that is secret: each owner (an account, a user) has its own
 * data keyset (Tink, AES-256-GCM), wrapped by the master key and kept in the {@link KeyStore}, outside the
 * database. The rest of the code needs only {@link #encrypt} and {@link #decrypt}; every value is bound to its
 * owner and its place ({@link FieldLocation}), and carries the id of the data key that made it.
 *
 * <p>Thread-safe. Unwrapped data keysets are kept in memory; the master key is only used to wrap and unwrap them.
 */
public final class Keyring {
    private static final Logger log = LoggerFactory.getLogger(Keyring.class);
    private static final byte[] CHECK_PLAINTEXT = "capstan keyring check".getBytes(StandardCharsets.UTF_8);

    private final MasterKeySource source;
    private final KeyStore store;
    private final String keyringId;
    private final Map<String, KeysetHandle> dataKeys = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private volatile MasterKey masterKey;

    private Keyring(MasterKeySource source, KeyStore store, MasterKey masterKey, String keyringId) {
        this.source = source;
        this.store = store;
        this.masterKey = masterKey;
        this.keyringId = keyringId;
    }

    /**
     * Opens the keyring, or creates it on the very first start. {@code databaseHasEncryptedData} says whether the
     * database already depends on a keyring; then a missing key store or master key is an error, never a reason to
     * create a new one. Every refusal is a {@link KeyringUnavailableException} naming the key source.
     */
    public static Keyring open(MasterKeySource source, KeyStore store, boolean databaseHasEncryptedData) {
        requireNonNull(source, "source is null");
        requireNonNull(store, "store is null");
        Optional<MasterKey> loaded = source.load();
        boolean storeIsEmpty = store.isEmpty();
        if (loaded.isEmpty() && (!storeIsEmpty || databaseHasEncryptedData)) {
            throw new KeyringUnavailableException("no master key was found in the " + source.description() + ", but"
                    + " this installation holds data encrypted under one (key store " + store.directory() + "). Restore"
                    + " the master key from where you keep its backup. Capstan never creates a new key over existing"
                    + " data.");
        }
        if (storeIsEmpty && databaseHasEncryptedData) {
            throw new KeyringUnavailableException("the key store " + store.directory() + " is missing or empty, but the"
                    + " database holds data encrypted under it. Restore the key store from its backup; the master key"
                    + " alone (" + source.description() + ") cannot decrypt anything without it.");
        }
        MasterKey masterKey = loaded.orElseGet(source::create);
        if (storeIsEmpty) {
            String keyringId = Ids.newId("kr");
            store.writeIdentity(
                    new KeyStore.Identity(keyringId, wrapWith(masterKey, CHECK_PLAINTEXT, checkData(keyringId))));
            log.info(
                    "created keyring {} in {} with the master key from the {}",
                    keyringId,
                    store.directory(),
                    source.description());
            return new Keyring(source, store, masterKey, keyringId);
        }
        KeyStore.Identity identity = store.identity().orElseThrow();
        try {
            masterKey.aead().decrypt(identity.check().bytes(), checkData(identity.keyringId()));
        } catch (GeneralSecurityException e) {
            throw new KeyringUnavailableException("the master key from the " + source.description() + " does not open"
                    + " the key store " + store.directory() + " (keyring " + identity.keyringId() + "; "
                    + e.getMessage()
                    + "). Either it is not the key this installation was created with, or the key service failed."
                    + " Start the server with the right master key; nothing was changed.");
        }
        return new Keyring(source, store, masterKey, identity.keyringId());
    }

    public String keyringId() {
        return keyringId;
    }

    public String sourceDescription() {
        return source.description();
    }

    public MasterKey masterKey() {
        return masterKey;
    }

    // Field encryption

    public Ciphertext encrypt(String owner, FieldLocation location, byte[] plaintext) {
        try {
            return Ciphertext.of(
                    TinkKeysets.aead(dataKey(owner, true)).encrypt(plaintext, location.associatedData(owner)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed for " + location.table() + "." + location.column(), e);
        }
    }

    /**
     * The plaintext of a value, or a {@code decryption_failed} error if it was altered, moved to another place or
     * owner, or its owner's key was destroyed. There is never a fallback to plaintext.
     */
    public byte[] decrypt(String owner, FieldLocation location, Ciphertext ciphertext) {
        KeysetHandle keyset = dataKey(owner, false);
        try {
            return TinkKeysets.aead(keyset).decrypt(ciphertext.bytes(), location.associatedData(owner));
        } catch (GeneralSecurityException e) {
            throw decryptionFailed(location, "it was altered, or does not belong to this place or owner");
        }
    }

    public Ciphertext encryptString(String owner, FieldLocation location, String plaintext) {
        return encrypt(owner, location, plaintext.getBytes(StandardCharsets.UTF_8));
    }

    public String decryptString(String owner, FieldLocation location, Ciphertext ciphertext) {
        return new String(decrypt(owner, location, ciphertext), StandardCharsets.UTF_8);
    }

    /** Crypto-shredding: destroys the owner's data key, so nothing it encrypted can be read again, anywhere. */
    public void destroy(String owner) {
        synchronized (writeLock) {
            store.destroyDataKey(owner);
            dataKeys.remove(owner);
        }
        log.info("destroyed the data key of {}", owner);
    }

    /**
     * Destroys the keys of owners that no longer exist (an account deleted just before a crash, a user whose
     * creation failed), as told by {@code exists}. Run at start, before anything is served.
     */
    public int destroyOrphans(java.util.function.Predicate<String> exists) {
        int destroyed = 0;
        for (String owner : store.owners()) {
            if (!exists.test(owner)) {
                destroy(owner);
                destroyed++;
            }
        }
        return destroyed;
    }

    public boolean hasDataKey(String owner) {
        return dataKeys.containsKey(owner) || store.dataKey(owner).isPresent();
    }

    private KeysetHandle dataKey(String owner, boolean createIfMissing) {
        KeysetHandle cached = dataKeys.get(owner);
        if (cached != null) {
            return cached;
        }
        synchronized (writeLock) {
            cached = dataKeys.get(owner);
            if (cached != null) {
                return cached;
            }
            Optional<KeyStore.Wrapped> wrapped = store.dataKey(owner);
            KeysetHandle keyset;
            if (wrapped.isPresent()) {
                keyset = unwrapDataKey(owner, wrapped.get());
            } else if (createIfMissing) {
                keyset = generate();
                store.writeDataKey(owner, wrap(keyset, owner));
            } else {
                throw new CapstanException(
                        ErrorCode.DECRYPTION_FAILED,
                        "no data key exists for the owner of this value; it was destroyed");
            }
            dataKeys.put(owner, keyset);
            return keyset;
        }
    }

    private KeysetHandle unwrapDataKey(String owner, KeyStore.Wrapped wrapped) {
        try {
            return TinkKeysets.unwrap(wrapped.bytes(), masterKey.aead(), dataKeyData(owner));
        } catch (GeneralSecurityException e) {
            throw new CapstanException(
                    ErrorCode.DECRYPTION_FAILED, "the data key of an owner could not be unwrapped with the master key");
        }
    }

    private KeyStore.Wrapped wrap(KeysetHandle keyset, String owner) {
        MasterKey current = masterKey;
        try {
            return KeyStore.Wrapped.of(
                    current.primaryVersion(), TinkKeysets.wrap(keyset, current.aead(), dataKeyData(owner)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot wrap a data key with the " + source.description(), e);
        }
    }

    private static KeysetHandle generate() {
        try {
            return TinkKeysets.generate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a data key", e);
        }
    }

    // The embedded database's file password

    /** The password the embedded database file is encrypted with, created (and stored wrapped) on first use. */
    public Secret databasePassword() {
        synchronized (writeLock) {
            Optional<KeyStore.Wrapped> wrapped = store.databaseKey();
            if (wrapped.isPresent()) {
                try {
                    return new Secret(new String(
                            masterKey.aead().decrypt(wrapped.get().bytes(), databaseKeyData()),
                            StandardCharsets.UTF_8));
                } catch (GeneralSecurityException e) {
                    throw new KeyringUnavailableException("the embedded database's key in " + store.directory()
                            + " cannot be unwrapped with the master key from the " + source.description());
                }
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Secret password = new Secret(HexFormat.of().formatHex(random));
            store.writeDatabaseKey(
                    wrapWith(masterKey, password.reveal().getBytes(StandardCharsets.UTF_8), databaseKeyData()));
            return password;
        }
    }

    public boolean hasDatabasePassword() {
        return store.databaseKey().isPresent();
    }

    // Data key rotation

    /** Makes a new data key version primary for {@code owner}; values keep decrypting with the old one. */
    public int addDataKeyVersion(String owner) {
        synchronized (writeLock) {
            try {
                KeysetHandle rotated = TinkKeysets.withNewPrimary(dataKey(owner, true));
                store.writeDataKey(owner, wrap(rotated, owner));
                dataKeys.put(owner, rotated);
                return TinkKeysets.primaryId(rotated);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot add a data key version", e);
            }
        }
    }

    /** How many data key versions {@code owner} has: more than one while a rotation is under way. */
    public int dataKeyVersions(String owner) {
        return TinkKeysets.keyIds(dataKey(owner, true)).size();
    }

    /** Whether {@code ciphertext} was made with the owner's primary data key. */
    public boolean isUnderPrimary(String owner, Ciphertext ciphertext) {
        OptionalInt id = TinkKeysets.keyIdOf(ciphertext.bytes());
        return id.isPresent() && id.getAsInt() == TinkKeysets.primaryId(dataKey(owner, true));
    }

    /** Destroys every data key version of {@code owner} but the primary; call only when no value uses them. */
    public void retireOldDataKeyVersions(String owner) {
        synchronized (writeLock) {
            try {
                KeysetHandle retired = TinkKeysets.onlyPrimary(dataKey(owner, true));
                store.writeDataKey(owner, wrap(retired, owner));
                dataKeys.put(owner, retired);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot retire data key versions", e);
            }
        }
    }

    public List<String> owners() {
        return store.owners();
    }

    // Master key rotation

    /** What a master key rotation did. */
    public record MasterKeyRotation(
            List<String> versionsBefore,
            String primaryVersion,
            int rewrapped,
            List<String> versionsAfter,
            Optional<String> advice) {}

    /**
     * Adds a master key version (where the source can), re-wraps every data key, the database key and the check
     * value under the primary version, and retires the old versions once nothing depends on them. Serving
     * continues throughout: unwrapped data keys stay in memory, and every wrapped file is replaced atomically.
     */
    public MasterKeyRotation rotateMasterKey() {
        synchronized (writeLock) {
            MasterKey before = masterKey;
            masterKey = source.addVersion(before).orElse(before);
            String primary = masterKey.primaryVersion();
            int rewrapped = 0;
            for (String owner : store.owners()) {
                KeyStore.Wrapped wrapped = store.dataKey(owner).orElseThrow();
                if (!wrapped.masterKeyVersion().equals(primary) || before == masterKey) {
                    KeysetHandle keyset = unwrapDataKey(owner, wrapped);
                    store.writeDataKey(owner, wrap(keyset, owner));
                    rewrapped++;
                }
            }
            Optional<KeyStore.Wrapped> databaseKey = store.databaseKey();
            if (databaseKey.isPresent()) {
                Secret password = databasePassword();
                store.writeDatabaseKey(
                        wrapWith(masterKey, password.reveal().getBytes(StandardCharsets.UTF_8), databaseKeyData()));
                rewrapped++;
            }
            store.writeIdentity(
                    new KeyStore.Identity(keyringId, wrapWith(masterKey, CHECK_PLAINTEXT, checkData(keyringId))));
            List<String> stillOld = wrappedUnderOtherVersions(primary);
            if (!stillOld.isEmpty()) {
                throw new IllegalStateException("after re-wrapping, these still depend on old versions: " + stillOld);
            }
            masterKey = source.retireAllBut(masterKey, primary);
            log.info(
                    "master key rotated: {} wrapped keys now under {}; versions left: {}",
                    rewrapped,
                    primary,
                    masterKey.versions());
            return new MasterKeyRotation(
                    before.versions(), primary, rewrapped, masterKey.versions(), source.retirementAdvice(masterKey));
        }
    }

    /** How many wrapped keys (data keys, the database key, the check value) each master key version wraps. */
    public Map<String, Integer> wrappedCountByVersion() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        masterKey.versions().forEach(version -> counts.put(version, 0));
        for (String owner : store.owners()) {
            store.dataKey(owner).ifPresent(w -> counts.merge(w.masterKeyVersion(), 1, Integer::sum));
        }
        store.databaseKey().ifPresent(w -> counts.merge(w.masterKeyVersion(), 1, Integer::sum));
        store.identity().ifPresent(i -> counts.merge(i.check().masterKeyVersion(), 1, Integer::sum));
        return Map.copyOf(counts);
    }

    /** Everything in the key store that is wrapped by a version other than {@code version}. */
    public List<String> wrappedUnderOtherVersions(String version) {
        List<String> found = new ArrayList<>();
        for (String owner : store.owners()) {
            store.dataKey(owner)
                    .filter(w -> !w.masterKeyVersion().equals(version))
                    .ifPresent(w -> found.add(owner));
        }
        store.databaseKey()
                .filter(w -> !w.masterKeyVersion().equals(version))
                .ifPresent(w -> found.add("database-key"));
        store.identity()
                .filter(i -> !i.check().masterKeyVersion().equals(version))
                .ifPresent(i -> found.add("keyring"));
        return List.copyOf(found);
    }

    private static KeyStore.Wrapped wrapWith(MasterKey key, byte[] plaintext, byte[] associatedData) {
        try {
            return KeyStore.Wrapped.of(key.primaryVersion(), key.aead().encrypt(plaintext, associatedData));
        } catch (GeneralSecurityException e) {
            throw new KeyringUnavailableException("the master key cannot encrypt: " + e.getMessage());
        }
    }

    private static byte[] checkData(String keyringId) {
        return ("capstan/keyring-check/v1|" + keyringId).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] databaseKeyData() {
        return "capstan/database-key/v1".getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] dataKeyData(String owner) {
        return ("capstan/data-key/v1|" + owner).getBytes(StandardCharsets.UTF_8);
    }

    private static CapstanException decryptionFailed(FieldLocation location, String why) {
        return new CapstanException(
                ErrorCode.DECRYPTION_FAILED,
                "a stored value in " + location.table() + "." + location.column() + " could not be decrypted: " + why);
    }
}
