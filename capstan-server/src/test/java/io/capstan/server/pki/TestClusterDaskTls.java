package io.capstan.server.pki;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.client.pki.ClientKeyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The interop check that matters: a real Dask scheduler, with encryption required, accepts the material the authority
 * issues, and a client whose key was made by {@link ClientKeyPair} connects with its signed certificate, while a
 * client with a certificate of another cluster, a plain connection and a TLS connection without a client certificate
 * are refused.
 *
 * <p>Python's {@code ssl} (OpenSSL) checks certificates differently from the JDK, so this catches what the JDK
 * handshake test cannot: an extension OpenSSL dislikes, a key form Python cannot read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestClusterDaskTls {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern SCHEDULER_ADDRESS = Pattern.compile("Scheduler at:\\s+(tls://[0-9.]+:[0-9]+)");

    /** Exit codes of the Python scripts below; anything else means a script itself broke. */
    private static final int CONNECTED = 0;

    private static final int REFUSED = 3;

    private static final String CLIENT_SCRIPT = """
            import sys
            from distributed import Client
            from distributed.security import Security

            address, ca_file, cert_file, key_file, timeout = sys.argv[1:6]
            security = Security(
                tls_ca_file=ca_file,
                tls_client_cert=cert_file,
                tls_client_key=key_file,
                require_encryption=True,
            )
            try:
                client = Client(address, security=security, timeout=timeout)
            except OSError as error:
                print("refused:", type(error).__name__, error)
                sys.exit(3)
            with client:
                info = client.scheduler_info()
                print("connected to", info["address"], "id", info["id"])
            """;

    /**
     * Talks to the scheduler below Dask: in plain TCP, or in TLS without a client certificate, which Dask's own
     * {@code Security} cannot even express. Exits 3 if the scheduler refused, 0 if it let the connection stand.
     */
    private static final String PROBE_SCRIPT = """
            import socket, ssl, sys

            host, port, ca_file, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
            sock = socket.create_connection((host, port), timeout=5)
            try:
                if mode == "no-certificate":
                    context = ssl.create_default_context(cafile=ca_file)
                    context.check_hostname = False
                    sock = context.wrap_socket(sock)
                sock.sendall(b"\\x00" * 8)
                data = sock.recv(1)
            except (ssl.SSLError, ConnectionError) as error:
                print("refused:", type(error).__name__, error)
                sys.exit(3)
            except socket.timeout:
                print("accepted: the connection stands")
                sys.exit(0)
            print("refused: closed" if not data else "accepted: answered")
            sys.exit(3 if not data else 0)
            """;

    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private final Instant now = Instant.now();
    private final ClusterCertificateAuthority authority =
            ClusterCertificateAuthority.create("cls_aaaaaaaaaaaaaaaaaaaa", now, now.plus(Duration.ofHours(1)));
    private final ClusterCertificateAuthority otherAuthority =
            ClusterCertificateAuthority.create("cls_bbbbbbbbbbbbbbbbbbbb", now, now.plus(Duration.ofHours(1)));

    private Path folder;
    private Path caFile;
    private DaskScheduler scheduler;
    private String address;

    /** One scheduler for all the tests here: starting Python and importing Dask is most of the time they take. */
    @BeforeAll
    void startScheduler(@TempDir Path temporary) throws Exception {
        folder = Files.createDirectory(
                temporary.resolve("tls"), PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
        NodeCertificate node = authority.issueNode(
                "scheduler",
                List.of("localhost"),
                List.of(InetAddress.getLoopbackAddress()),
                now,
                now.plus(Duration.ofHours(1)));
        caFile = write(folder.resolve("ca.pem"), authority.certificatePem());
        Path certificate = write(folder.resolve("scheduler.pem"), node.certificatePem());
        Path privateKey = write(folder.resolve("scheduler-key.pem"), node.privateKeyPem());
        scheduler = DaskScheduler.start(folder, caFile, certificate, privateKey);
        address = scheduler.address();
        assertThat(processGroup(scheduler.pid()))
                .as("the scheduler leads its own process group")
                .isEqualTo(scheduler.pid());
    }

    @AfterAll
    void stopScheduler() throws IOException {
        if (scheduler != null) {
            scheduler.close();
            assertThat(scheduler.groupMembers()).as("processes left behind").isEmpty();
        }
    }

    @Test
    void aClientOfTheClusterConnectsWithAKeyItMadeItself() throws Exception {
        ClientRun run = runClient(clientFiles("alice", authority), CLIENT_TIMEOUT);

        assertThat(run.exitCode()).as(run.output()).isEqualTo(CONNECTED);
        assertThat(run.output()).contains("connected to " + address);
    }

    @Test
    void aClientCertificateOfAnotherClusterIsRefused() throws Exception {
        // A refused Dask client retries until its timeout, so keep that short: the test above shows that a client
        // that should connect does so well within it.
        ClientRun run = runClient(clientFiles("mallory", otherAuthority), Duration.ofSeconds(3));

        assertThat(run.exitCode()).as(run.output()).isEqualTo(REFUSED);
        awaitSchedulerLog("certificate verify failed: unable to get local issuer certificate");
    }

    @Test
    void aPlainConnectionIsRefused() throws Exception {
        ClientRun run = runProbe("plain");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(REFUSED);
        awaitSchedulerLog("wrong version number");
    }

    @Test
    void aTlsConnectionWithoutAClientCertificateIsRefused() throws Exception {
        ClientRun run = runProbe("no-certificate");

        assertThat(run.exitCode()).as(run.output()).isEqualTo(REFUSED);
        awaitSchedulerLog("peer did not return a certificate");
    }

    private record ClientFiles(Path certificate, Path privateKey) {}

    private record ClientRun(int exitCode, String output) {}

    /** A key made as {@code capstan cluster credentials} makes it, and a certificate signed for it. */
    private ClientFiles clientFiles(String username, ClusterCertificateAuthority issuer) throws IOException {
        ClientKeyPair keyPair = ClientKeyPair.generate();
        ClientCertificate certificate = issuer.signClientCertificate(
                keyPair.certificateSigningRequestPem(username), username, now, Duration.ofHours(1));
        return new ClientFiles(
                write(folder.resolve(username + ".pem"), certificate.certificatePem()),
                write(folder.resolve(username + "-key.pem"), keyPair.privateKeyPem()));
    }

    private void awaitSchedulerLog(String line) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(scheduler.output()).containsIgnoringCase(line));
    }

    private static Path write(Path file, String content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
        return Files.writeString(file, content, UTF_8);
    }

    private ClientRun runProbe(String mode) throws IOException, InterruptedException {
        URI uri = URI.create(address);
        return run(
                List.of(
                        PYTHON,
                        "-c",
                        PROBE_SCRIPT,
                        uri.getHost(),
                        Integer.toString(uri.getPort()),
                        caFile.toString(),
                        mode),
                Duration.ofSeconds(5));
    }

    private ClientRun runClient(ClientFiles client, Duration timeout) throws IOException, InterruptedException {
        return run(
                List.of(
                        PYTHON,
                        "-c",
                        CLIENT_SCRIPT,
                        address,
                        caFile.toString(),
                        client.certificate().toString(),
                        client.privateKey().toString(),
                        timeout.toSeconds() + "s"),
                timeout);
    }

    private ClientRun run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        // Output to a file, not a pipe: reading a pipe would block past any timeout if Python hung.
        Path log = Files.createTempFile(folder, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(folder.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        cleanEnvironment(builder.environment(), folder);
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.plusSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the client did not finish: " + Files.readString(log, UTF_8));
            }
            return new ClientRun(process.exitValue(), Files.readString(log, UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Only what Python needs, so no {@code DASK_*} setting of the machine running the tests can change the outcome,
     * and Dask writes its default config into the test's folder rather than the user's home.
     */
    private static void cleanEnvironment(Map<String, String> environment, Path folder) {
        environment.clear();
        environment.put("PATH", "/usr/bin:/bin");
        environment.put("HOME", folder.toString());
        environment.put("DASK_CONFIG", folder.resolve("dask-config").toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("PYTHONDONTWRITEBYTECODE", "1");
    }

    /**
     * A {@code dask-scheduler} in a process group of its own, so closing it ends every process it started: nothing
     * outlives the test.
     */
    private static final class DaskScheduler implements AutoCloseable {
        private final Process process;
        private final List<String> output = new ArrayList<>();
        private final CompletableFuture<String> address = new CompletableFuture<>();

        private DaskScheduler(Process process) {
            this.process = process;
            Thread reader = new Thread(this::readOutput, "dask-scheduler-output");
            reader.setDaemon(true);
            reader.start();
        }

        static DaskScheduler start(Path folder, Path caFile, Path certificate, Path privateKey) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(
                            "/usr/bin/setsid",
                            PYTHON,
                            "-m",
                            "distributed.cli.dask_scheduler",
                            "--host",
                            "127.0.0.1",
                            "--port",
                            "0",
                            "--protocol",
                            "tls",
                            "--dashboard-address",
                            "127.0.0.1:0")
                    .directory(folder.toFile())
                    .redirectErrorStream(true);
            Map<String, String> environment = builder.environment();
            cleanEnvironment(environment, folder);
            environment.put("DASK_DISTRIBUTED__COMM__TLS__CA_FILE", caFile.toString());
            environment.put("DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__CERT", certificate.toString());
            environment.put("DASK_DISTRIBUTED__COMM__TLS__SCHEDULER__KEY", privateKey.toString());
            environment.put("DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION", "True");
            return new DaskScheduler(builder.start());
        }

        String address() throws Exception {
            try {
                return address.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the scheduler printed no tls:// address: " + output(), e);
            }
        }

        synchronized String output() {
            return String.join("\n", output);
        }

        private void readOutput() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    synchronized (this) {
                        output.add(line);
                    }
                    Matcher matcher = SCHEDULER_ADDRESS.matcher(line);
                    if (matcher.find()) {
                        address.complete(matcher.group(1));
                    }
                }
            } catch (IOException e) {
                address.completeExceptionally(new UncheckedIOException(e));
            }
            address.completeExceptionally(new IllegalStateException("the scheduler exited: " + output()));
        }

        @Override
        public void close() throws IOException {
            try {
                signalGroup("TERM");
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    signalGroup("KILL");
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }

        /** The processes still in the scheduler's group, read from {@code /proc}: none once it is closed. */
        List<Long> groupMembers() {
            return ProcessHandle.allProcesses()
                    .filter(candidate -> processGroup(candidate.pid()) == process.pid())
                    .map(ProcessHandle::pid)
                    .toList();
        }

        long pid() {
            return process.pid();
        }

        private void signalGroup(String signal) throws IOException, InterruptedException {
            // setsid made the scheduler the leader of a new group whose id is its process id.
            new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid())
                    .redirectErrorStream(true)
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The process group of {@code pid}: the fifth field of {@code /proc/<pid>/stat}, after the parenthesised name. */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return Long.parseLong(fields[2]);
        } catch (IOException e) {
            // The process ended meanwhile.
            return -1;
        }
    }
}
