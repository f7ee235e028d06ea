package io.capstan.server.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/** Reading and writing PEM: certificates, private keys (PKCS#8 or traditional), signing requests. */
public final class Pem {
    private Pem() {}

    public static List<X509Certificate> readCertificates(Path path) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
            return readCertificates(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read certificates from " + path, e);
        }
    }

    public static List<X509Certificate> readCertificates(String pem) {
        try {
            return readCertificates(new StringReader(pem));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<X509Certificate> readCertificates(Reader reader) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (CertificateException e) {
            throw new IOException("not a valid certificate", e);
        }
        return List.copyOf(certificates);
    }

    public static PrivateKey readPrivateKey(Path path) {
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.US_ASCII)) {
            return readPrivateKey(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a private key from " + path, e);
        }
    }

    public static PrivateKey readPrivateKey(String pem) {
        try {
            return readPrivateKey(new StringReader(pem));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PrivateKey readPrivateKey(Reader reader) throws IOException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new IOException("no unencrypted private key found");
    }

    /**
     * The first signing request in {@code pem}, or empty if it holds none. Throws {@link UncheckedIOException} for
     * malformed PEM; untrusted input can also make Bouncy Castle's ASN.1 parser throw other runtime exceptions, so a
     * caller reading a request from outside must treat any runtime exception as a bad request.
     */
    public static Optional<PKCS10CertificationRequest> readCertificationRequest(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PKCS10CertificationRequest request) {
                    return Optional.of(request);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.empty();
    }

    /**
     * A private key as unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}): the one form that fits every algorithm and
     * the one OpenSSL 3 and Python's {@code ssl} read first.
     */
    public static String writePrivateKey(PrivateKey privateKey) {
        return write(privateKey);
    }

    /**
     * Any object Bouncy Castle can write: a certificate, a signing request, a key. Private keys are written as
     * unencrypted PKCS#8 ({@code PRIVATE KEY}), which carries the curve and which OpenSSL and Python read.
     */
    public static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof PrivateKey key) {
                writer.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
