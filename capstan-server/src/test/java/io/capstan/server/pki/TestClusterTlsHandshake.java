package io.capstan.server.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.client.pki.ClientKeyPair;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real TLS handshakes on loopback with the JDK's own TLS stack, the material as the authority issues it, and client
 * authentication required, as Dask's scheduler requires it. The JDK checks the certificates here with the real clock,
 * so this test issues them for the current time.
 */
class TestClusterTlsHandshake {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int PING = 42;

    private final Instant now = Instant.now();
    private final ClusterCertificateAuthority authority =
            ClusterCertificateAuthority.create("cls_aaaaaaaaaaaaaaaaaaaa", now, now.plus(Duration.ofHours(1)));
    private final ClusterCertificateAuthority otherAuthority =
            ClusterCertificateAuthority.create("cls_bbbbbbbbbbbbbbbbbbbb", now, now.plus(Duration.ofHours(1)));
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopServer() {
        executor.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientOfTheSameClusterConnectsToItsScheduler(String protocol) throws Exception {
        KeyMaterial scheduler = scheduler(authority);
        KeyMaterial client = client(authority, "alice");

        Handshake handshake =
                handshake(protocol, scheduler, authority, Optional.of(client), authority, AddressCheck.VERIFY);

        assertThat(handshake.clientConnected()).isTrue();
        assertThat(handshake.server().get()).isEqualTo("CN=alice,OU=clients,O=Capstan");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientCertificateOfAnotherClusterIsRefused(String protocol) throws Exception {
        KeyMaterial client = client(otherAuthority, "alice");

        Handshake handshake =
                handshake(protocol, scheduler(authority), authority, Optional.of(client), authority, AddressCheck.SKIP);

        assertThat(handshake.clientConnected()).isFalse();
        assertRefusedBecauseOfTheCertificate(handshake.server());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientWithoutACertificateIsRefused(String protocol) throws Exception {
        Handshake handshake =
                handshake(protocol, scheduler(authority), authority, Optional.empty(), authority, AddressCheck.SKIP);

        assertThat(handshake.clientConnected()).isFalse();
        assertThat(serverFailure(handshake.server())).isInstanceOf(SSLHandshakeException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aNodeCertificateAlsoAuthenticatesAsAClient(String protocol) throws Exception {
        // A worker connects to the scheduler with the same certificate it listens with.
        Handshake handshake = handshake(
                protocol,
                scheduler(authority),
                authority,
                Optional.of(scheduler(authority)),
                authority,
                AddressCheck.SKIP);

        assertThat(handshake.clientConnected()).isTrue();
        assertThat(handshake.server().get()).isEqualTo("CN=scheduler,OU=nodes,O=Capstan");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientCertificateCannotPoseAsTheScheduler(String protocol) throws Exception {
        Handshake handshake = handshake(
                protocol,
                client(authority, "mallory"),
                authority,
                Optional.of(client(authority, "alice")),
                authority,
                AddressCheck.SKIP);

        assertThat(handshake.clientFailure())
                .get()
                .isInstanceOf(SSLHandshakeException.class)
                .extracting(Throwable::getMessage)
                .asString()
                .contains("Extended key usage does not permit use for TLS server authentication");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aSchedulerOfAnotherClusterIsRefusedByTheClient(String protocol) throws Exception {
        Handshake handshake = handshake(
                protocol,
                scheduler(otherAuthority),
                otherAuthority,
                Optional.of(client(authority, "alice")),
                authority,
                AddressCheck.SKIP);

        assertThat(handshake.clientFailure())
                .get()
                .isInstanceOf(SSLHandshakeException.class)
                .satisfies(failure -> assertThat(failure).hasRootCauseInstanceOf(CertPathBuilderException.class));
    }

    private record KeyMaterial(PrivateKey privateKey, X509Certificate certificate) {}

    /**
     * Dask turns off the check that the scheduler's certificate names the address dialled ({@code check_hostname =
     * False}), so most tests do too; one checks that the names would pass it.
     */
    private enum AddressCheck {
        VERIFY,
        SKIP
    }

    /** Why the client failed, if it did, and the server's outcome: the client's name, or why it refused. */
    private record Handshake(Optional<IOException> clientFailure, Future<String> server) {
        boolean clientConnected() {
            return clientFailure.isEmpty();
        }
    }

    private KeyMaterial scheduler(ClusterCertificateAuthority issuer) {
        NodeCertificate node = issuer.issueNode(
                "scheduler",
                List.of("localhost"),
                List.of(InetAddress.getLoopbackAddress()),
                now,
                now.plus(Duration.ofHours(1)));
        // Through PEM, as the files the node reads.
        return new KeyMaterial(
                Pem.readPrivateKey(node.privateKeyPem()),
                Pem.readCertificates(node.certificatePem()).get(0));
    }

    private KeyMaterial client(ClusterCertificateAuthority issuer, String username) {
        ClientKeyPair keyPair = ClientKeyPair.generate();
        ClientCertificate certificate = issuer.signClientCertificate(
                keyPair.certificateSigningRequestPem(username), username, now, Duration.ofHours(1));
        return new KeyMaterial(
                Pem.readPrivateKey(keyPair.privateKeyPem()),
                Pem.readCertificates(certificate.certificatePem()).get(0));
    }

    private Handshake handshake(
            String protocol,
            KeyMaterial server,
            ClusterCertificateAuthority serverTrusts,
            Optional<KeyMaterial> client,
            ClusterCertificateAuthority clientTrusts,
            AddressCheck addressCheck)
            throws Exception {
        SSLContext serverContext = context(Optional.of(server), serverTrusts.certificate());
        try (SSLServerSocket serverSocket = (SSLServerSocket)
                serverContext.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            serverSocket.setNeedClientAuth(true);
            serverSocket.setEnabledProtocols(new String[] {protocol});
            Future<String> outcome = executor.submit(() -> serveOnce(serverSocket));
            Optional<IOException> clientFailure = connect(
                    context(client, clientTrusts.certificate()), protocol, serverSocket.getLocalPort(), addressCheck);
            // Wait for the server's side before the socket closes.
            try {
                outcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException ignored) {
                // The test looks at the outcome itself.
            }
            return new Handshake(clientFailure, outcome);
        }
    }

    private static String serveOnce(SSLServerSocket serverSocket) throws IOException {
        try (SSLSocket socket = (SSLSocket) serverSocket.accept()) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.startHandshake();
            int ping = socket.getInputStream().read();
            socket.getOutputStream().write(ping);
            socket.getOutputStream().flush();
            return socket.getSession().getPeerPrincipal().getName();
        }
    }

    /** Empty if the client finished a handshake and got its byte echoed, else why not. */
    private static Optional<IOException> connect(
            SSLContext context, String protocol, int port, AddressCheck addressCheck) {
        try (SSLSocket socket =
                (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.setEnabledProtocols(new String[] {protocol});
            if (addressCheck == AddressCheck.VERIFY) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
            }
            socket.startHandshake();
            socket.getOutputStream().write(PING);
            socket.getOutputStream().flush();
            if (socket.getInputStream().read() != PING) {
                return Optional.of(new IOException("the server closed the connection"));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(e);
        }
    }

    private static SSLContext context(Optional<KeyMaterial> key, X509Certificate trusted)
            throws GeneralSecurityException, IOException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("cluster-ca", trusted);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
        trustManagers.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                key.map(material -> new KeyManager[] {new SingleKeyManager(material)})
                        .orElse(new KeyManager[0]),
                trustManagers.getTrustManagers(),
                null);
        return context;
    }

    private static Throwable serverFailure(Future<String> server) {
        try {
            return new AssertionError("the server accepted " + server.get());
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private static void assertRefusedBecauseOfTheCertificate(Future<String> server) {
        Throwable failure = serverFailure(server);
        assertThat(failure).isInstanceOf(SSLHandshakeException.class);
        assertThat(failure).hasRootCauseInstanceOf(CertPathBuilderException.class);
    }

    /**
     * Offers its one key whatever authorities the peer asks for. The JDK's own key manager would hold back a
     * certificate of another cluster when the server names the authorities it trusts, and then the test would
     * check the refusal of no certificate instead of the refusal of a foreign one.
     */
    private static final class SingleKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "key";
        private final KeyMaterial material;

        SingleKeyManager(KeyMaterial material) {
            this.material = material;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keyType.equals("EC") ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return keyType.equals("EC") ? ALIAS : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {material.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return material.privateKey();
        }
    }
}
