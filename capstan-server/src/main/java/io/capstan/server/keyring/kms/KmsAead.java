package io.capstan.server.keyring.kms;

import static java.util.Objects.requireNonNull;

import com.google.crypto.tink.Aead;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptRequest;
import software.amazon.awssdk.services.kms.model.EncryptResponse;

/**
 * A Tink {@link Aead} whose key never leaves AWS KMS: each call is one KMS {@code Encrypt} or {@code Decrypt}. It is
 * the master key that wraps Capstan's data keys (envelope encryption), not a cipher for bulk data: every call is a
 * network round trip, and KMS takes at most 4096 bytes of plaintext.
 *
 * <p>Associated data is bound through the KMS encryption context the way Tink's own {@code AwsKmsAead} binds it
 * (lowercase hex under the key {@code associatedData}, no context at all when the associated data is empty), so a
 * ciphertext made here can be opened by Tink's {@code aws-kms://} integration and the other way round.
 *
 * <p>Which key may answer a {@code Decrypt}: the request names the configured key, so KMS itself refuses a
 * ciphertext made under another key ({@code IncorrectKeyException}). The key ARN in the answer is checked again
 * here, so that a ciphertext swapped for one under another key the caller may also use can never pass silently,
 * even through a misconfigured endpoint:
 *
 * <ul>
 *   <li>configured as a key ARN ({@code arn:aws:kms:REGION:ACCOUNT:key/ID}): the answer must be that ARN exactly;
 *   <li>configured as a bare key id ({@code ID}, or {@code mrk-…} for a multi-Region key): the answer must be a key
 *       ARN ending in {@code :key/ID}; a bare id cannot pin the account or Region, configure an ARN for that;
 *   <li>configured as an alias ({@code alias/NAME} or an alias ARN): the answer names the key the alias pointed to,
 *       which cannot be matched to the alias without another call ({@code DescribeKey}), so only KMS's own check
 *       applies. An alias is convenient for rotation by re-pointing, and whoever may re-point it decides the key.
 * </ul>
 *
 * <p>Every SDK failure becomes a {@link GeneralSecurityException} whose message names the operation, the key and the
 * KMS error code (or the client-side failure, such as a timeout), and never any plaintext. Thread-safe, as the
 * {@link KmsClient} is.
 */
public final class KmsAead implements Aead {
    /** The encryption context key Tink's {@code AwsKmsAead} puts the hex associated data under. */
    static final String ASSOCIATED_DATA_CONTEXT_KEY = "associatedData";

    private final KmsClient client;
    private final String keyId;

    /**
     * @param keyId a key ARN, a key id, an alias name ({@code alias/NAME}) or an alias ARN; see the class comment for
     *     how each is checked on decrypt
     */
    public KmsAead(KmsClient client, String keyId) {
        this.client = requireNonNull(client, "client is null");
        this.keyId = requireNonNull(keyId, "keyId is null");
        if (keyId.isBlank()) {
            throw new IllegalArgumentException("keyId is blank");
        }
    }

    public String keyId() {
        return keyId;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        requireNonNull(plaintext, "plaintext is null");
        EncryptRequest.Builder request =
                EncryptRequest.builder().keyId(keyId).plaintext(SdkBytes.fromByteArray(plaintext));
        if (associatedData != null && associatedData.length > 0) {
            request.encryptionContext(encryptionContext(associatedData));
        }
        EncryptResponse response;
        try {
            response = client.encrypt(request.build());
        } catch (SdkException e) {
            throw failure("Encrypt", e);
        }
        if (response.ciphertextBlob() == null) {
            throw new GeneralSecurityException("KMS Encrypt with key " + keyId + " answered without a ciphertext");
        }
        return response.ciphertextBlob().asByteArray();
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        requireNonNull(ciphertext, "ciphertext is null");
        DecryptRequest.Builder request =
                DecryptRequest.builder().keyId(keyId).ciphertextBlob(SdkBytes.fromByteArray(ciphertext));
        if (associatedData != null && associatedData.length > 0) {
            request.encryptionContext(encryptionContext(associatedData));
        }
        DecryptResponse response;
        try {
            response = client.decrypt(request.build());
        } catch (SdkException e) {
            throw failure("Decrypt", e);
        }
        if (response.keyId() == null) {
            throw new GeneralSecurityException("KMS Decrypt with key " + keyId + " answered without a key id");
        }
        if (!answerMatchesConfiguredKey(keyId, response.keyId())) {
            // The answer's plaintext is dropped unread: it came from a key this AEAD was not configured for.
            throw new GeneralSecurityException("KMS Decrypt with key " + keyId
                    + " failed: the ciphertext belongs to another key (" + response.keyId() + ")");
        }
        if (response.plaintext() == null) {
            throw new GeneralSecurityException("KMS Decrypt with key " + keyId + " answered without a plaintext");
        }
        return response.plaintext().asByteArray();
    }

    /** Whether a {@code Decrypt} answer naming {@code answeredKeyArn} may be trusted; the rule is in the class comment. */
    static boolean answerMatchesConfiguredKey(String configuredKeyId, String answeredKeyArn) {
        if (isAlias(configuredKeyId)) {
            return true;
        }
        if (configuredKeyId.startsWith("arn:")) {
            return configuredKeyId.equals(answeredKeyArn);
        }
        return answeredKeyArn.startsWith("arn:") && answeredKeyArn.endsWith(":key/" + configuredKeyId);
    }

    private static boolean isAlias(String keyId) {
        if (keyId.startsWith("alias/")) {
            return true;
        }
        // An ARN is arn:PARTITION:kms:REGION:ACCOUNT:RESOURCE, where RESOURCE is key/ID or alias/NAME.
        List<String> parts = List.of(keyId.split(":", 6));
        return parts.size() == 6 && parts.get(0).equals("arn") && parts.get(5).startsWith("alias/");
    }

    private static Map<String, String> encryptionContext(byte[] associatedData) {
        return Map.of(ASSOCIATED_DATA_CONTEXT_KEY, HexFormat.of().formatHex(associatedData));
    }

    private GeneralSecurityException failure(String operation, SdkException exception) {
        return new GeneralSecurityException(
                "KMS " + operation + " with key " + keyId + " failed: " + describe(exception), exception);
    }

    /**
     * The KMS error code and HTTP status of a service error, or the kind of a client-side failure. Deliberately not
     * the SDK's message: this text goes into logs and problem details, and it stays short and free of request data.
     */
    private static String describe(SdkException exception) {
        if (exception instanceof AwsServiceException serviceException) {
            AwsErrorDetails details = serviceException.awsErrorDetails();
            String code = details == null || details.errorCode() == null ? "unknown error" : details.errorCode();
            return code + " (HTTP " + serviceException.statusCode() + ")";
        }
        return exception.getClass().getSimpleName();
    }
}
