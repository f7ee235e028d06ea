package io.capstan.server.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.client.pki.ClientKeyPair;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class TestClusterCertificateAuthority {
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05.678Z");
    private static final Instant NOW_MINUS_SKEW = Instant.parse("2030-01-02T03:03:05Z");
    private static final Instant CA_NOT_AFTER = Instant.parse("2030-02-01T00:00:00Z");

    private static final String SERVER_AUTH = KeyPurposeId.id_kp_serverAuth.getId();
    private static final String CLIENT_AUTH = KeyPurposeId.id_kp_clientAuth.getId();
    private static final String BASIC_CONSTRAINTS = Extension.basicConstraints.getId();
    private static final String KEY_USAGE = Extension.keyUsage.getId();
    private static final String EXTENDED_KEY_USAGE = Extension.extendedKeyUsage.getId();
    private static final String AUTHORITY_KEY_IDENTIFIER = Extension.authorityKeyIdentifier.getId();
    private static final String SUBJECT_KEY_IDENTIFIER = Extension.subjectKeyIdentifier.getId();
    private static final String SUBJECT_ALTERNATIVE_NAME = Extension.subjectAlternativeName.getId();

    private final ClusterCertificateAuthority authority =
            ClusterCertificateAuthority.create("cls_abcdefghijklmnopqrst", NOW, CA_NOT_AFTER);

    @Test
    void theAuthorityIsASelfSignedP256AuthorityThatSignsOnlyLeaves() throws Exception {
        X509Certificate certificate = authority.certificate();

        assertThat(certificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=Capstan cluster cls_abcdefghijklmnopqrst CA,O=Capstan");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertP256(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints()).as("CA:true, pathLen 0").isZero();
        assertThat(keyUsages(certificate)).containsExactly("keyCertSign", "cRLSign");
        assertThat(certificate.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(BASIC_CONSTRAINTS, KEY_USAGE);
        assertThat(certificate.getNonCriticalExtensionOIDs()).containsExactly(SUBJECT_KEY_IDENTIFIER);
        assertThat(subjectKeyIdentifier(certificate))
                .isEqualTo(new JcaX509ExtensionUtils()
                        .createSubjectKeyIdentifier(certificate.getPublicKey())
                        .getKeyIdentifier());
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW_MINUS_SKEW);
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(CA_NOT_AFTER);
        assertThat(authority.notAfter()).isEqualTo(CA_NOT_AFTER);
    }

    @Test
    void serialNumbersArePositiveRandomAndAtMost128Bits() {
        BigInteger first = authority.certificate().getSerialNumber();
        BigInteger second = authority
                .issueNode("worker", List.of(), List.of(), NOW, CA_NOT_AFTER)
                .certificate()
                .getSerialNumber();
        BigInteger third = ClusterCertificateAuthority.create("cls_other", NOW, CA_NOT_AFTER)
                .certificate()
                .getSerialNumber();

        assertThat(List.of(first, second, third)).allSatisfy(serial -> {
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
        });
        assertThat(Set.of(first, second, third)).hasSize(3);
    }

    @Test
    void aNodeCertificateServesBothTlsDirectionsUnderItsNames() throws Exception {
        NodeCertificate node = authority.issueNode(
                "scheduler",
                List.of("localhost", "scheduler.cls-abc.internal"),
                List.of(
                        InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
                        InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})),
                NOW,
                NOW.plus(Duration.ofDays(7)));
        X509Certificate certificate = node.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=scheduler,OU=nodes,O=Capstan");
        assertThat(certificate.getIssuerX500Principal())
                .isEqualTo(authority.certificate().getSubjectX500Principal());
        certificate.verify(authority.certificate().getPublicKey());
        assertP256(certificate.getPublicKey());
        assertThat(certificate.getExtendedKeyUsage()).containsExactly(SERVER_AUTH, CLIENT_AUTH);
        assertThat(keyUsages(certificate)).containsExactly("digitalSignature");
        assertThat(certificate.getBasicConstraints()).as("not an authority").isEqualTo(-1);
        assertThat(certificate.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(BASIC_CONSTRAINTS, KEY_USAGE);
        assertThat(certificate.getNonCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(EXTENDED_KEY_USAGE, AUTHORITY_KEY_IDENTIFIER, SUBJECT_ALTERNATIVE_NAME);
        assertThat(authorityKeyIdentifier(certificate)).isEqualTo(subjectKeyIdentifier(authority.certificate()));
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(
                        List.of(2, "localhost"),
                        List.of(2, "scheduler.cls-abc.internal"),
                        List.of(7, "127.0.0.1"),
                        List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW_MINUS_SKEW);
        assertThat(certificate.getNotAfter().toInstant()).isEqualTo(Instant.parse("2030-01-09T03:04:05Z"));
        assertThat(node.certificateAuthority()).isEqualTo(authority.certificate());
        assertThat(node.certificateAuthorityPem()).isEqualTo(authority.certificatePem());
    }

    @Test
    void aNodeKeyIsPkcs8PemThatMatchesItsCertificate() throws Exception {
        NodeCertificate node = authority.issueNode("worker-1", List.of("localhost"), List.of(), NOW, CA_NOT_AFTER);

        assertThat(node.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        PrivateKey privateKey = Pem.readPrivateKey(node.privateKeyPem());
        assertThat(privateKey).isEqualTo(node.privateKey());
        assertThat(Pem.readCertificates(node.certificatePem())).containsExactly(node.certificate());
        assertThat(signatureVerifies(privateKey, node.certificate().getPublicKey()))
                .isTrue();
        String keyBody = node.privateKeyPem().lines().skip(1).findFirst().orElseThrow();
        assertThat(node.toString()).contains("CN=worker-1").doesNotContain(keyBody);
    }

    @Test
    void aNodeCertificateEndsNoLaterThanTheAuthority() throws Exception {
        NodeCertificate node =
                authority.issueNode("worker-2", List.of(), List.of(), NOW, NOW.plus(Duration.ofDays(365)));

        assertThat(node.certificate().getNotAfter().toInstant()).isEqualTo(CA_NOT_AFTER);
        assertThat(node.certificate().getSubjectAlternativeNames()).isNull();
    }

    @Test
    void aClientCertificateIsNamedAfterTheUserAndAuthenticatesOnlyAClient() throws Exception {
        ClientKeyPair keyPair = ClientKeyPair.generate();

        ClientCertificate client = authority.signClientCertificate(
                keyPair.certificateSigningRequestPem("mallory"), "alice", NOW, Duration.ofHours(12));
        X509Certificate certificate = client.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=alice,OU=clients,O=Capstan");
        assertThat(certificate.getPublicKey()).isEqualTo(keyPair.publicKey());
        certificate.verify(authority.certificate().getPublicKey());
        assertThat(certificate.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(keyUsages(certificate)).containsExactly("digitalSignature");
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getSubjectAlternativeNames()).isNull();
        assertThat(certificate.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(BASIC_CONSTRAINTS, KEY_USAGE);
        assertThat(certificate.getNonCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(EXTENDED_KEY_USAGE, AUTHORITY_KEY_IDENTIFIER);
        assertThat(authorityKeyIdentifier(certificate)).isEqualTo(subjectKeyIdentifier(authority.certificate()));
        assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW_MINUS_SKEW);
        assertThat(client.notAfter()).isEqualTo(Instant.parse("2030-01-02T15:04:05Z"));
        assertThat(client.certificateAuthorityPem()).isEqualTo(authority.certificatePem());
        assertThat(Pem.readCertificates(client.certificatePem())).containsExactly(certificate);
    }

    @Test
    void aClientCertificateEndsNoLaterThanTheAuthority() {
        String request = ClientKeyPair.generate().certificateSigningRequestPem("alice");

        assertThat(authority
                        .signClientCertificate(request, "alice", NOW, Duration.ofDays(90))
                        .notAfter())
                .isEqualTo(CA_NOT_AFTER);
        assertThat(authority
                        .signClientCertificate(request, "alice", NOW, Duration.ofSeconds(Long.MAX_VALUE))
                        .notAfter())
                .isEqualTo(CA_NOT_AFTER);
    }

    @Test
    void anExpiredAuthorityIssuesNothing() {
        Instant later = CA_NOT_AFTER.plusSeconds(1);
        String request = ClientKeyPair.generate().certificateSigningRequestPem("alice");

        assertThatThrownBy(() -> authority.issueNode("worker", List.of(), List.of(), later, later.plusSeconds(60)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> authority.signClientCertificate(request, "alice", later, Duration.ofHours(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void nodeAndClientCertificatesValidateAgainstTheirOwnAuthority() throws Exception {
        NodeCertificate node = authority.issueNode("scheduler", List.of("localhost"), List.of(), NOW, CA_NOT_AFTER);
        X509Certificate client = aliceCertificate(authority, Duration.ofHours(12));

        validate(node.certificate(), authority.certificate(), NOW, Optional.of(SERVER_AUTH));
        validate(node.certificate(), authority.certificate(), NOW, Optional.of(CLIENT_AUTH));
        validate(client, authority.certificate(), NOW, Optional.of(CLIENT_AUTH));
        // Backdated by a minute, so a peer whose clock is 30 seconds behind accepts them.
        validate(node.certificate(), authority.certificate(), NOW.minusSeconds(30), Optional.empty());
        validate(client, authority.certificate(), NOW.minusSeconds(30), Optional.empty());
    }

    @Test
    void certificatesOfAnotherClusterDoNotValidate() {
        ClusterCertificateAuthority other = ClusterCertificateAuthority.create("cls_other", NOW, CA_NOT_AFTER);
        X509Certificate foreignNode = other.issueNode("scheduler", List.of("localhost"), List.of(), NOW, CA_NOT_AFTER)
                .certificate();
        X509Certificate foreignClient = aliceCertificate(other, Duration.ofHours(12));

        assertThatThrownBy(() -> validate(foreignNode, authority.certificate(), NOW, Optional.empty()))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(foreignClient, authority.certificate(), NOW, Optional.empty()))
                .isInstanceOf(CertPathValidatorException.class);
        assertThatThrownBy(() -> validate(other.certificate(), authority.certificate(), NOW, Optional.empty()))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void aClientCertificateCannotServeAsAScheduler() throws Exception {
        X509Certificate client = aliceCertificate(authority, Duration.ofHours(12));

        assertThatThrownBy(() -> validate(client, authority.certificate(), NOW, Optional.of(SERVER_AUTH)))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void aLeafKeyCannotActAsAnAuthority() throws Exception {
        NodeCertificate node = authority.issueNode("worker", List.of(), List.of(), NOW, CA_NOT_AFTER);
        X509Certificate forged = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                X500Name.getInstance(node.certificate()
                                        .getSubjectX500Principal()
                                        .getEncoded()),
                                BigInteger.TEN,
                                Date.from(NOW.minusSeconds(60)),
                                Date.from(CA_NOT_AFTER),
                                new X500Name("CN=mallory"),
                                ClientKeyPair.generate().publicKey())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(node.privateKey())));
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        PKIXParameters parameters = pkixParameters(authority.certificate(), NOW);

        assertThatThrownBy(() -> CertPathValidator.getInstance("PKIX")
                        .validate(factory.generateCertPath(List.of(forged, node.certificate())), parameters))
                .isInstanceOf(CertPathValidatorException.class);
    }

    @Test
    void aRestoredAuthorityKeepsSigningCertificatesThatValidate() throws Exception {
        byte[] storedKey = authority.privateKeyPkcs8();
        String storedCertificate = authority.certificatePem();

        ClusterCertificateAuthority restored = ClusterCertificateAuthority.restore(storedKey, storedCertificate);

        assertThat(restored.certificate()).isEqualTo(authority.certificate());
        assertThat(restored.privateKeyPkcs8()).isEqualTo(storedKey);
        NodeCertificate node = restored.issueNode("worker", List.of("localhost"), List.of(), NOW, CA_NOT_AFTER);
        X509Certificate client = aliceCertificate(restored, Duration.ofHours(1));
        validate(node.certificate(), authority.certificate(), NOW, Optional.of(SERVER_AUTH));
        validate(client, authority.certificate(), NOW, Optional.of(CLIENT_AUTH));
        assertThat(authorityKeyIdentifier(node.certificate())).isEqualTo(subjectKeyIdentifier(authority.certificate()));
    }

    @Test
    void restoreRefusesAKeyOfAnotherCertificateAndALeafCertificate() {
        ClusterCertificateAuthority other = ClusterCertificateAuthority.create("cls_other", NOW, CA_NOT_AFTER);
        NodeCertificate node = authority.issueNode("worker", List.of(), List.of(), NOW, CA_NOT_AFTER);

        assertThatThrownBy(
                        () -> ClusterCertificateAuthority.restore(other.privateKeyPkcs8(), authority.certificatePem()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong");
        assertThatThrownBy(() -> ClusterCertificateAuthority.restore(node.privateKey(), node.certificate()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a certificate authority");
        assertThatThrownBy(() -> ClusterCertificateAuthority.restore(new byte[] {1, 2, 3}, authority.certificatePem()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterCertificateAuthority.restore(authority.privateKeyPkcs8(), "garbage"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsNoPrivateKey() {
        String key = Base64.getEncoder().encodeToString(authority.privateKeyPkcs8());

        assertThat(authority.toString())
                .contains("CN=Capstan cluster cls_abcdefghijklmnopqrst CA")
                .doesNotContain(key.substring(0, 20))
                .doesNotContainIgnoringCase("private");
    }

    @Test
    void namesAndValiditiesAreChecked() {
        String request = ClientKeyPair.generate().certificateSigningRequestPem("alice");

        assertThatThrownBy(() -> ClusterCertificateAuthority.create("cls_x", NOW, NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.issueNode("", List.of(), List.of(), NOW, CA_NOT_AFTER))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.issueNode("a".repeat(65), List.of(), List.of(), NOW, CA_NOT_AFTER))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.signClientCertificate(request, "alice\n", NOW, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authority.signClientCertificate(request, "alice", NOW, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A client certificate for alice, from a key she made herself. */
    private static X509Certificate aliceCertificate(ClusterCertificateAuthority issuer, Duration lifetime) {
        return issuer.signClientCertificate(
                        ClientKeyPair.generate().certificateSigningRequestPem("alice"), "alice", NOW, lifetime)
                .certificate();
    }

    private static void validate(
            X509Certificate certificate, X509Certificate trustAnchor, Instant at, Optional<String> requiredPurpose)
            throws GeneralSecurityException, IOException {
        PKIXParameters parameters = pkixParameters(trustAnchor, at);
        if (requiredPurpose.isPresent()) {
            X509CertSelector selector = new X509CertSelector();
            selector.setExtendedKeyUsage(Set.of(requiredPurpose.orElseThrow()));
            parameters.setTargetCertConstraints(selector);
        }
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), parameters);
    }

    private static PKIXParameters pkixParameters(X509Certificate trustAnchor, Instant at)
            throws GeneralSecurityException {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(trustAnchor, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(at));
        return parameters;
    }

    private static void assertP256(PublicKey publicKey) {
        assertThat(publicKey).isInstanceOf(ECPublicKey.class);
        assertThat(((ECPublicKey) publicKey).getParams().toString()).contains("secp256r1");
    }

    private static List<String> keyUsages(X509Certificate certificate) {
        String[] names = {
            "digitalSignature",
            "nonRepudiation",
            "keyEncipherment",
            "dataEncipherment",
            "keyAgreement",
            "keyCertSign",
            "cRLSign",
            "encipherOnly",
            "decipherOnly"
        };
        boolean[] usage = certificate.getKeyUsage();
        return IntStream.range(0, usage.length)
                .filter(index -> usage[index])
                .mapToObj(index -> names[index])
                .toList();
    }

    private static byte[] subjectKeyIdentifier(X509Certificate certificate) throws Exception {
        return SubjectKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                        certificate.getExtensionValue(SUBJECT_KEY_IDENTIFIER)))
                .getKeyIdentifier();
    }

    private static byte[] authorityKeyIdentifier(X509Certificate certificate) throws Exception {
        AuthorityKeyIdentifier identifier = AuthorityKeyIdentifier.getInstance(
                JcaX509ExtensionUtils.parseExtensionValue(certificate.getExtensionValue(AUTHORITY_KEY_IDENTIFIER)));
        assertThat(identifier.getAuthorityCertIssuer())
                .as("key identifier only")
                .isNull();
        return identifier.getKeyIdentifierOctets();
    }

    private static boolean signatureVerifies(PrivateKey privateKey, PublicKey publicKey)
            throws GeneralSecurityException {
        byte[] message = {1, 2, 3};
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(publicKey);
        verifier.update(message);
        return verifier.verify(signature);
    }
}
