package io.capstan.client.pki;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A person's own key pair for a cluster's mutual TLS, made on their machine. Only the signing request built from it
 * goes to the server, which answers with a certificate; the private key stays here and is written to a file only the
 * person can read. This is what the peers get wrong by handing every user the cluster's private key.
 *
 * <p>The key is ECDSA P-256, which the cluster's authority accepts and Python's {@code ssl} reads. Immutable and
 * thread-safe. {@link #toString()} leaves the private key out.
 */
public final class ClientKeyPair {
    private static final String CURVE = "secp256r1";
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;

    private ClientKeyPair(KeyPair keyPair) {
        this.keyPair = requireNonNull(keyPair, "keyPair is null");
    }

    public static ClientKeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return new ClientKeyPair(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    public PublicKey publicKey() {
        return keyPair.getPublic();
    }

    /**
     * A PKCS#10 signing request in PEM, signed with the private key to prove the sender holds it. The subject names
     * {@code username} only for the reader's sake: the server ignores it and names the certificate after the
     * authenticated caller.
     */
    public String certificateSigningRequestPem(String username) {
        requireNonNull(username, "username is null");
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, username)
                .build();
        try {
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
                    .build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keyPair.getPrivate()));
            return write(request);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the certificate signing request", e);
        }
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), for a file of mode 0600. */
    public String privateKeyPem() {
        try {
            return write(new JcaPKCS8Generator(keyPair.getPrivate(), null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the private key as PKCS#8", e);
        }
    }

    @Override
    public String toString() {
        return "ClientKeyPair{algorithm=EC P-256}";
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
