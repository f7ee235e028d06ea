package io.capstan.server.pki;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The certificate authority of one Dask cluster. Every cluster has its own, so a certificate of one cluster opens
 * nothing in another, and destroying the key when the cluster stops makes every certificate it issued useless.
 *
 * <p>It issues two kinds of certificates. Nodes (scheduler and workers) get a key made here and a certificate good
 * for both TLS directions, because Dask uses one certificate whether a node listens or connects. People get a
 * certificate for a key they made themselves and sent as a signing request, so their private key never leaves their
 * machine; that certificate is good for the client side only, so it cannot pose as a scheduler.
 *
 * <p>All keys made here are ECDSA P-256, all signatures SHA-256 with ECDSA. Every certificate starts a minute before
 * {@code now}, so a peer whose clock is slightly behind still accepts it, and none outlives the authority itself.
 *
 * <p>Immutable and thread-safe. The caller passes {@code now} so tests control time.
 */
public final class ClusterCertificateAuthority {
    /** The largest signing request accepted, in characters. An RSA-8192 request in PEM is about 3 KiB. */
    public static final int MAX_CSR_LENGTH = 16 * 1024;

    private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final String CURVE = "secp256r1";
    private static final String ORGANIZATION = "Capstan";
    private static final String NODES_UNIT = "nodes";
    private static final String CLIENTS_UNIT = "clients";
    /** The upper bound of a common name in RFC 5280 ({@code ub-common-name}). */
    private static final int MAX_COMMON_NAME_LENGTH = 64;

    private static final int MIN_RSA_BITS = 2048;
    /** Larger RSA keys buy nothing here and make verifying a hostile request slow. */
    private static final int MAX_RSA_BITS = 8192;
    /** Signatures a request may carry: proof of possession with SHA-1 is not accepted. */
    private static final Set<ASN1ObjectIdentifier> CSR_SIGNATURE_ALGORITHMS = Set.of(
            X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384,
            X9ObjectIdentifiers.ecdsa_with_SHA512,
            PKCSObjectIdentifiers.sha256WithRSAEncryption,
            PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    /** The issuer name of every certificate issued here, taken from the encoded certificate so it matches bytewise. */
    private final X500Name subject;
    /** Named in every issued certificate so a verifier finds this authority's key without comparing names. */
    private final byte[] keyIdentifier;

    private ClusterCertificateAuthority(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = requireNonNull(privateKey, "privateKey is null");
        this.certificate = requireNonNull(certificate, "certificate is null");
        this.subject =
                X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        this.keyIdentifier = keyIdentifier(certificate);
    }

    /**
     * A new authority for the cluster {@code clusterId}, valid until {@code notAfter}: the cluster cannot outlive it,
     * so choose at least the cluster's maximum lifetime.
     */
    public static ClusterCertificateAuthority create(String clusterId, Instant now, Instant notAfter) {
        requireNonNull(clusterId, "clusterId is null");
        Validity validity = Validity.of(now, notAfter);
        KeyPair keyPair = generateKeyPair();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION)
                .addRDN(BCStyle.CN, requireCommonName("Capstan cluster " + clusterId + " CA"))
                .build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                newSerialNumber(),
                Date.from(validity.notBefore()),
                Date.from(validity.notAfter()),
                subject,
                keyPair.getPublic());
        // pathLen 0: this authority signs leaf certificates only, never another authority.
        addExtension(builder, Extension.basicConstraints, true, new BasicConstraints(0));
        addExtension(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        addExtension(
                builder,
                Extension.subjectKeyIdentifier,
                false,
                extensionUtils().createSubjectKeyIdentifier(keyPair.getPublic()));
        return new ClusterCertificateAuthority(keyPair.getPrivate(), sign(builder, keyPair.getPrivate()));
    }

    /**
     * The authority as it was stored: its key and its certificate. Refuses a certificate that is not an authority's
     * and a key that does not belong to the certificate, so a mix-up in storage fails here and not in a TLS handshake.
     */
    public static ClusterCertificateAuthority restore(PrivateKey privateKey, X509Certificate certificate) {
        requireNonNull(privateKey, "privateKey is null");
        requireNonNull(certificate, "certificate is null");
        if (certificate.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("the certificate is not a certificate authority's");
        }
        if (!keyMatches(privateKey, certificate.getPublicKey())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate");
        }
        return new ClusterCertificateAuthority(privateKey, certificate);
    }

    /** The authority from the forms {@link #privateKeyPkcs8()} and {@link #certificatePem()} give. */
    public static ClusterCertificateAuthority restore(byte[] privateKeyPkcs8, String certificatePem) {
        requireNonNull(privateKeyPkcs8, "privateKeyPkcs8 is null");
        requireNonNull(certificatePem, "certificatePem is null");
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(privateKeyPkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PKCS#8 EC private key", e);
        }
        List<X509Certificate> certificates;
        try {
            certificates = Pem.readCertificates(certificatePem);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
        if (certificates.size() != 1) {
            throw new IllegalArgumentException("expected one certificate, found " + certificates.size());
        }
        return restore(privateKey, certificates.get(0));
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String certificatePem() {
        return Pem.write(certificate);
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** The private key as DER-encoded PKCS#8, unencrypted: encrypt it before it is stored anywhere. */
    public byte[] privateKeyPkcs8() {
        return privateKey.getEncoded();
    }

    /**
     * A new key and certificate for a scheduler or a worker, named {@code commonName} and reachable at the given DNS
     * names and addresses. Valid until {@code notAfter} or the end of this authority, whichever comes first.
     */
    public NodeCertificate issueNode(
            String commonName, List<String> dnsNames, List<InetAddress> ipAddresses, Instant now, Instant notAfter) {
        requireNonNull(commonName, "commonName is null");
        requireNonNull(dnsNames, "dnsNames is null");
        requireNonNull(ipAddresses, "ipAddresses is null");
        requireNonNull(notAfter, "notAfter is null");
        requireUnexpired(now);
        Validity validity = Validity.of(now, earliest(notAfter, notAfter()));
        KeyPair keyPair = generateKeyPair();
        X509v3CertificateBuilder builder = leafBuilder(leafName(NODES_UNIT, commonName), keyPair.getPublic(), validity);
        // Dask presents the same certificate when a node listens and when it connects to another node.
        addExtension(builder, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
        }));
        List<GeneralName> names = new ArrayList<>();
        for (String dnsName : dnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        for (InetAddress address : ipAddresses) {
            names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(address.getAddress())));
        }
        if (!names.isEmpty()) {
            addExtension(
                    builder,
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return new NodeCertificate(keyPair.getPrivate(), sign(builder, privateKey), certificate);
    }

    /**
     * A client certificate for {@code username}, for the key in {@code csrPem}, valid for {@code lifetime} or until
     * the end of this authority, whichever comes first.
     *
     * <p>Of the request only the public key is used, after its signature proves the sender holds the private key.
     * The subject and any extensions it asks for are ignored: the subject comes from the authenticated username, and
     * the certificate can only authenticate a client, never act as a server or an authority.
     *
     * @throws InvalidCsrException if the request is not one Capstan signs; its message is safe to show the sender
     */
    public ClientCertificate signClientCertificate(String csrPem, String username, Instant now, Duration lifetime) {
        requireNonNull(csrPem, "csrPem is null");
        requireNonNull(username, "username is null");
        requireNonNull(now, "now is null");
        requireNonNull(lifetime, "lifetime is null");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive: " + lifetime);
        }
        requireUnexpired(now);
        X500Name clientName = leafName(CLIENTS_UNIT, username);
        PublicKey publicKey = verifiedPublicKey(csrPem);
        // Compared as durations so that a very long lifetime cannot overflow Instant.
        Instant notAfter = lifetime.compareTo(Duration.between(now, notAfter())) >= 0 ? notAfter() : now.plus(lifetime);
        X509v3CertificateBuilder builder = leafBuilder(clientName, publicKey, Validity.of(now, notAfter));
        addExtension(builder, Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return new ClientCertificate(sign(builder, privateKey), certificate);
    }

    @Override
    public String toString() {
        return "ClusterCertificateAuthority{subject="
                + certificate.getSubjectX500Principal().getName() + ", notAfter=" + notAfter() + "}";
    }

    private X509v3CertificateBuilder leafBuilder(X500Name leafSubject, PublicKey publicKey, Validity validity) {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                newSerialNumber(),
                Date.from(validity.notBefore()),
                Date.from(validity.notAfter()),
                leafSubject,
                publicKey);
        addExtension(builder, Extension.basicConstraints, true, new BasicConstraints(false));
        addExtension(builder, Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        addExtension(builder, Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyIdentifier));
        return builder;
    }

    /**
     * The public key of a signing request that has passed every check. Every failure, including any exception Bouncy
     * Castle's parser throws on hostile input, becomes an {@link InvalidCsrException} with a message of our own.
     */
    private static PublicKey verifiedPublicKey(String csrPem) {
        if (csrPem.isBlank()) {
            throw new InvalidCsrException("the certificate signing request is empty");
        }
        if (csrPem.length() > MAX_CSR_LENGTH) {
            throw new InvalidCsrException(
                    "the certificate signing request is longer than " + MAX_CSR_LENGTH + " characters");
        }
        PKCS10CertificationRequest request = parse(csrPem)
                .orElseThrow(() -> new InvalidCsrException("not a PEM-encoded PKCS#10 certificate signing request"));
        PublicKey publicKey = acceptedPublicKey(request.getSubjectPublicKeyInfo());
        if (!CSR_SIGNATURE_ALGORITHMS.contains(request.getSignatureAlgorithm().getAlgorithm())) {
            throw new InvalidCsrException("unsupported signature algorithm: sign the request with SHA-256 or stronger");
        }
        if (!signatureVerifies(request, publicKey)) {
            throw new InvalidCsrException("the signature of the certificate signing request does not verify");
        }
        return publicKey;
    }

    private static Optional<PKCS10CertificationRequest> parse(String csrPem) {
        try {
            return Pem.readCertificationRequest(csrPem);
        } catch (RuntimeException e) {
            // Malformed PEM, and whatever Bouncy Castle's ASN.1 parser throws on hostile bytes.
            return Optional.empty();
        }
    }

    private static boolean signatureVerifies(PKCS10CertificationRequest request, PublicKey publicKey) {
        try {
            return request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            // A signature that is not even well-formed DER fails here rather than returning false.
            return false;
        }
    }

    /** An EC P-256 key or an RSA key of 2048 to 8192 bits; nothing else. */
    private static PublicKey acceptedPublicKey(SubjectPublicKeyInfo keyInfo) {
        ASN1ObjectIdentifier algorithm = keyInfo.getAlgorithm().getAlgorithm();
        ASN1Encodable parameters = keyInfo.getAlgorithm().getParameters();
        try {
            if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                // Only the named curve: explicit curve parameters are a classic source of validation bugs.
                if (!X9ObjectIdentifiers.prime256v1.equals(parameters)) {
                    throw new InvalidCsrException("unsupported elliptic curve: use P-256");
                }
                return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
            }
            if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                RSAPublicKey publicKey = (RSAPublicKey)
                        KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
                int bits = publicKey.getModulus().bitLength();
                if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                    throw new InvalidCsrException("an RSA key must have " + MIN_RSA_BITS + " to " + MAX_RSA_BITS
                            + " bits; this one has " + bits);
                }
                return publicKey;
            }
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidCsrException("the public key of the certificate signing request is malformed");
        }
        throw new InvalidCsrException(
                "unsupported key type: use an EC P-256 key or an RSA key of at least " + MIN_RSA_BITS + " bits");
    }

    private void requireUnexpired(Instant now) {
        requireNonNull(now, "now is null");
        if (!notAfter().isAfter(now)) {
            throw new IllegalStateException("the cluster's certificate authority expired at " + notAfter());
        }
    }

    private static X500Name leafName(String unit, String commonName) {
        // Most general first in the encoding, so it reads CN=..., OU=..., O=Capstan the usual way round.
        return new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, ORGANIZATION)
                .addRDN(BCStyle.OU, unit)
                .addRDN(BCStyle.CN, requireCommonName(commonName))
                .build();
    }

    private static String requireCommonName(String commonName) {
        if (commonName.isBlank() || commonName.length() > MAX_COMMON_NAME_LENGTH) {
            throw new IllegalArgumentException(
                    "a common name must be 1 to " + MAX_COMMON_NAME_LENGTH + " characters and not blank");
        }
        if (commonName.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a common name must not contain control characters");
        }
        return commonName;
    }

    private static Instant earliest(Instant first, Instant second) {
        return first.isBefore(second) ? first : second;
    }

    private static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(CURVE), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    /** A random positive serial of up to 128 bits: unpredictable, as RFC 5280 and the CA/Browser Forum advise. */
    private static BigInteger newSerialNumber() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    private static void addExtension(
            X509v3CertificateBuilder builder, ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
        try {
            builder.addExtension(oid, critical, value);
        } catch (CertIOException e) {
            throw new IllegalStateException("cannot encode the extension " + oid, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }

    private static JcaX509ExtensionUtils extensionUtils() {
        try {
            return new JcaX509ExtensionUtils();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** The authority's key identifier as its certificate states it, or as RFC 5280 derives it when absent. */
    private static byte[] keyIdentifier(X509Certificate certificate) {
        SubjectKeyIdentifier identifier;
        try {
            identifier = SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(certificate).getExtensions());
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("cannot encode the certificate", e);
        }
        if (identifier == null) {
            identifier = extensionUtils().createSubjectKeyIdentifier(certificate.getPublicKey());
        }
        return identifier.getKeyIdentifier();
    }

    private static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equals("EC") || !publicKey.getAlgorithm().equals("EC")) {
            return false;
        }
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The validity of a new certificate, in whole seconds as X.509 stores it, starting before now by the skew. */
    private record Validity(Instant notBefore, Instant notAfter) {
        static Validity of(Instant now, Instant notAfter) {
            requireNonNull(now, "now is null");
            requireNonNull(notAfter, "notAfter is null");
            if (!notAfter.isAfter(now)) {
                throw new IllegalArgumentException("notAfter " + notAfter + " is not after now " + now);
            }
            return new Validity(
                    now.minus(CLOCK_SKEW).truncatedTo(ChronoUnit.SECONDS), notAfter.truncatedTo(ChronoUnit.SECONDS));
        }
    }
}
