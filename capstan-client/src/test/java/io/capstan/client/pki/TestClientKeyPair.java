package io.capstan.client.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

class TestClientKeyPair {
    @Test
    void theKeyIsAnEcP256KeyInPkcs8Pem() throws Exception {
        ClientKeyPair keyPair = ClientKeyPair.generate();

        String pem = keyPair.privateKeyPem();

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----").contains("-----END PRIVATE KEY-----");
        PrivateKey privateKey = readPrivateKey(pem);
        assertThat(privateKey).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) privateKey).getParams().getCurve().getField().getFieldSize())
                .isEqualTo(256);
        assertThat(((ECPublicKey) keyPair.publicKey()).getParams().getOrder())
                .isEqualTo(((ECPrivateKey) privateKey).getParams().getOrder());
        assertThat(signatureVerifies(privateKey, keyPair)).isTrue();
    }

    @Test
    void theRequestCarriesThePublicKeyAndProvesPossessionOfThePrivateKey() throws Exception {
        ClientKeyPair keyPair = ClientKeyPair.generate();

        JcaPKCS10CertificationRequest request =
                new JcaPKCS10CertificationRequest(readRequest(keyPair.certificateSigningRequestPem("alice")));

        assertThat(request.getPublicKey()).isEqualTo(keyPair.publicKey());
        assertThat(request.getSubject().toString()).isEqualTo("CN=alice");
        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(keyPair.publicKey())))
                .isTrue();
        assertThat(request.getSignatureAlgorithm().getAlgorithm().getId())
                .as("ecdsa-with-SHA256")
                .isEqualTo("1.2.840.10045.4.3.2");
    }

    @Test
    void theRequestHoldsNoPrivateKeyMaterial() throws Exception {
        ClientKeyPair keyPair = ClientKeyPair.generate();
        String request = keyPair.certificateSigningRequestPem("alice");
        byte[] scalar =
                ((ECPrivateKey) readPrivateKey(keyPair.privateKeyPem())).getS().toByteArray();

        assertThat(request).startsWith("-----BEGIN CERTIFICATE REQUEST-----").doesNotContain("PRIVATE KEY");
        assertThat(new String(readRequest(request).getEncoded(), StandardCharsets.ISO_8859_1))
                .doesNotContain(new String(scalar, StandardCharsets.ISO_8859_1));
    }

    @Test
    void everyKeyPairIsNew() {
        assertThat(ClientKeyPair.generate().privateKeyPem())
                .isNotEqualTo(ClientKeyPair.generate().privateKeyPem());
    }

    @Test
    void toStringHidesThePrivateKey() {
        ClientKeyPair keyPair = ClientKeyPair.generate();
        String body = keyPair.privateKeyPem().lines().skip(1).findFirst().orElseThrow();

        assertThat(keyPair.toString()).doesNotContain(body).doesNotContain("PRIVATE");
    }

    private static PrivateKey readPrivateKey(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) parser.readObject());
        }
    }

    private static PKCS10CertificationRequest readRequest(String pem) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return (PKCS10CertificationRequest) parser.readObject();
        }
    }

    private static boolean signatureVerifies(PrivateKey privateKey, ClientKeyPair keyPair)
            throws GeneralSecurityException {
        byte[] message = "capstan".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keyPair.publicKey());
        verifier.update(message);
        return verifier.verify(signature);
    }
}
