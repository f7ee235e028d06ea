package io.capstan.server.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.client.pki.ClientKeyPair;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the authority does with signing requests sent by clients, which may be careless or hostile. */
class TestClusterCertificateSigningRequests {
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
    private static final Duration LIFETIME = Duration.ofHours(12);
    /** Put into hostile input to check that no error message repeats it. */
    private static final String MARKER = "MARKERxyzzy";

    private static final ClusterCertificateAuthority AUTHORITY =
            ClusterCertificateAuthority.create("cls_abcdefghijklmnopqrst", NOW, NOW.plus(Duration.ofDays(30)));

    @Test
    void anRsaKeyOf2048BitsIsAccepted() throws Exception {
        KeyPair keyPair = keyPair("RSA", 2048);

        ClientCertificate client = sign(request(keyPair, "SHA256withRSA", "CN=alice", Optional.empty()));

        assertThat(client.certificate().getPublicKey()).isEqualTo(keyPair.getPublic());
        assertThat(client.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    }

    @Test
    void aSubjectAndExtensionsAskedForInTheRequestAreIgnored() throws Exception {
        ExtensionsGenerator requested = new ExtensionsGenerator();
        requested.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        requested.addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
        requested.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_codeSigning
        }));
        requested.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "evil.example"),
            new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[] {10, 0, 0, 1})),
            new GeneralName(GeneralName.rfc822Name, "root@evil.example")
        }));
        String request = request(
                keyPair("EC", 256), "SHA256withECDSA", "CN=root,OU=nodes,O=Capstan", Optional.of(requested.generate()));

        X509Certificate certificate = sign(request).certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=alice,OU=clients,O=Capstan");
        assertThat(certificate.getBasicConstraints()).as("not an authority").isEqualTo(-1);
        assertThat(certificate.getSubjectAlternativeNames()).isNull();
        assertThat(certificate.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_clientAuth.getId());
        assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
        assertThat(certificate.getNonCriticalExtensionOIDs())
                .containsExactlyInAnyOrder(
                        Extension.extendedKeyUsage.getId(), Extension.authorityKeyIdentifier.getId());
    }

    @Test
    void aRequestWhoseSignatureWasTamperedWithIsRefused() throws Exception {
        byte[] der = der(ClientKeyPair.generate().certificateSigningRequestPem("alice"));
        der[der.length - 1] ^= 0x01;

        assertRefused(pem("CERTIFICATE REQUEST", der), "signature");
    }

    @Test
    void aRequestWhoseContentWasChangedAfterSigningIsRefused() throws Exception {
        String original = ClientKeyPair.generate().certificateSigningRequestPem("alice");
        byte[] der = der(original);
        byte[] name = "alice".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(der, name);
        assertThat(at).isPositive();
        der[at] = 'b';

        assertRefused(pem("CERTIFICATE REQUEST", der), "signature");
    }

    @Test
    void aRequestWithTheKeyOfSomeoneElseIsRefused() throws Exception {
        // The public key of one pair, the signature of another: no proof of possession.
        KeyPair victim = keyPair("EC", 256);
        KeyPair attacker = keyPair("EC", 256);
        PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name("CN=alice"), victim.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(attacker.getPrivate()));

        assertRefused(Pem.write(request), "signature");
    }

    @Test
    void anRsaKeyOf1024BitsIsRefused() throws Exception {
        assertRefused(request(keyPair("RSA", 1024), "SHA256withRSA", "CN=alice", Optional.empty()), "2048");
    }

    @Test
    void anEcKeyOnAnotherCurveIsRefused() throws Exception {
        assertRefused(request(keyPair("EC", 384), "SHA256withECDSA", "CN=alice", Optional.empty()), "P-256");
    }

    @Test
    void dsaAndEd25519KeysAreRefused() throws Exception {
        assertRefused(
                request(keyPair("DSA", 2048), "SHA256withDSA", "CN=alice", Optional.empty()), "unsupported key type");
        assertRefused(request(keyPair("Ed25519", 0), "Ed25519", "CN=alice", Optional.empty()), "unsupported key type");
    }

    @Test
    void aSha1SignatureIsRefused() throws Exception {
        assertRefused(
                request(keyPair("RSA", 2048), "SHA1withRSA", "CN=alice", Optional.empty()), "signature algorithm");
    }

    @Test
    void anOversizeRequestIsRefusedBeforeItIsParsed() {
        String valid = ClientKeyPair.generate().certificateSigningRequestPem("alice");

        assertRefused(valid + "\n".repeat(ClusterCertificateAuthority.MAX_CSR_LENGTH), "longer than 16384");
        assertRefused(MARKER.repeat(2_000), "longer than 16384");
    }

    static Stream<Arguments> garbage() {
        SecureRandom random = new SecureRandom();
        byte[] noise = new byte[600];
        random.nextBytes(noise);
        // Deep nesting is the classic way to exhaust a recursive ASN.1 parser's stack.
        byte[] nested = new byte[12_000];
        for (int i = 0; i < nested.length; i += 2) {
            nested[i] = 0x30;
            nested[i + 1] = (byte) 0x80;
        }
        String valid = ClientKeyPair.generate().certificateSigningRequestPem("alice");
        String body = valid.replace("-----BEGIN CERTIFICATE REQUEST-----", "")
                .replace("-----END CERTIFICATE REQUEST-----", "")
                .strip();
        return Stream.of(
                Arguments.of("empty", ""),
                Arguments.of("blank", " \n\t "),
                Arguments.of("text", "please sign " + MARKER),
                Arguments.of(
                        "bad base64",
                        "-----BEGIN CERTIFICATE REQUEST-----\n" + MARKER + "!!!\n-----END CERTIFICATE REQUEST-----\n"),
                Arguments.of("random bytes", pem("CERTIFICATE REQUEST", noise)),
                Arguments.of("nested ASN.1", pem("CERTIFICATE REQUEST", nested)),
                Arguments.of(
                        "truncated", valid.substring(0, valid.length() / 2) + "\n-----END CERTIFICATE REQUEST-----\n"),
                Arguments.of("base64 without armor", body),
                Arguments.of("unterminated", "-----BEGIN CERTIFICATE REQUEST-----\n" + body),
                Arguments.of("a certificate", AUTHORITY.certificatePem()),
                Arguments.of("a private key", ClientKeyPair.generate().privateKeyPem()),
                Arguments.of("a request in certificate armor", valid.replace("CERTIFICATE REQUEST", "CERTIFICATE")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void garbageIsRefusedWithAMessageThatRepeatsNothingOfIt(String description, String input) {
        assertRefused(input, "");
    }

    @Test
    void theRefusalCarriesNoCauseAndNoStackTrace() {
        assertThatThrownBy(() -> AUTHORITY.signClientCertificate(MARKER, "alice", NOW, LIFETIME))
                .isInstanceOfSatisfying(InvalidCsrException.class, exception -> {
                    assertThat(exception.getCause()).isNull();
                    assertThat(exception.getStackTrace()).isEmpty();
                    assertThat(exception.getMessage())
                            .isEqualTo("not a PEM-encoded PKCS#10 certificate signing request");
                });
    }

    private static ClientCertificate sign(String request) {
        return AUTHORITY.signClientCertificate(request, "alice", NOW, LIFETIME);
    }

    private static void assertRefused(String request, String messageFragment) {
        assertThatThrownBy(() -> sign(request))
                .isExactlyInstanceOf(InvalidCsrException.class)
                .hasMessageContaining(messageFragment)
                .message()
                .doesNotContain(MARKER)
                .doesNotContain("org.bouncycastle")
                .hasSizeLessThan(200);
    }

    private static KeyPair keyPair(String algorithm, int size) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec(size == 256 ? "secp256r1" : "secp" + size + "r1"));
        } else if (size > 0) {
            generator.initialize(size);
        }
        return generator.generateKeyPair();
    }

    private static String request(
            KeyPair keyPair, String signatureAlgorithm, String subject, Optional<Extensions> extensions)
            throws Exception {
        PKCS10CertificationRequestBuilder builder =
                new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keyPair.getPublic());
        if (extensions.isPresent()) {
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.orElseThrow());
        }
        return Pem.write(builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(keyPair.getPrivate())));
    }

    private static byte[] der(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return parser.readPemObject().getContent();
        }
    }

    private static String pem(String type, byte[] content) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, content));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
