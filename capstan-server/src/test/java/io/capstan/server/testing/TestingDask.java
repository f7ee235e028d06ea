package io.capstan.server.testing;

import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.client.CapstanClient;
import io.capstan.client.pki.ClientKeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A Dask client in Python (Debian's {@code python3-distributed}), run as a real process against a real cluster. */
public final class TestingDask {
    private TestingDask() {}

    /** Files for a client: CA, certificate and key, or only some of them for tests of refusals. */
    public record ClientFiles(
            Path folder, Optional<Path> certificateAuthority, Optional<Path> certificate, Optional<Path> key) {}

    /** Gets a personal certificate for {@code client}'s user, as {@code capstan cluster credentials} does. */
    public static ClientFiles credentials(CapstanClient client, String clusterId, Path folder) {
        ClientKeyPair keys = ClientKeyPair.generate();
        String username = client.me().user().username();
        ClientCertificateView certificate = client.clientCertificate(
                clusterId, new ClientCertificateRequest(keys.certificateSigningRequestPem(username), Optional.empty()));
        try {
            Files.createDirectories(folder);
            Path ca = Files.writeString(folder.resolve("ca.pem"), certificate.certificateAuthority());
            Path cert = Files.writeString(folder.resolve("client.pem"), certificate.certificate());
            Path key = Files.writeString(folder.resolve("client-key.pem"), keys.privateKeyPem());
            return new ClientFiles(folder, Optional.of(ca), Optional.of(cert), Optional.of(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a Python script printed, and how it ended. */
    public record Result(int exitCode, String output) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Connects to {@code address} with {@code files} and computes {@code sum(x*x for x in range(10))} on the
     * cluster, printing {@code RESULT 285} on success.
     */
    public static Result compute(String address, ClientFiles files) {
        return withClient(
                address,
                files,
                "futures = client.map(lambda x: x * x, range(10))",
                "print('RESULT', client.submit(sum, futures).result())");
    }

    /** Runs {@code lines} of Python with {@code client}, a Dask client connected to {@code address} with {@code files}. */
    public static Result withClient(String address, ClientFiles files, String... lines) {
        String security = files.certificate().isPresent()
                ? "Security(tls_ca_file=" + quote(files.certificateAuthority()) + ", tls_client_cert="
                        + quote(files.certificate()) + ", tls_client_key=" + quote(files.key())
                        + ", require_encryption=True)"
                : files.certificateAuthority().isPresent()
                        ? "Security(tls_ca_file=" + quote(files.certificateAuthority()) + ", require_encryption=True)"
                        : "None";
        List<String> script = new ArrayList<>(List.of(
                "from distributed import Client",
                "from distributed.security import Security",
                "client = Client('" + address + "', security=" + security + ", timeout=10)"));
        script.addAll(List.of(lines));
        script.add("client.close()");
        return python(String.join("\n", script));
    }

    public static Result python(String script) {
        try {
            Path directory = Files.createTempDirectory("capstan-python");
            Path file = Files.writeString(directory.resolve("script.py"), script);
            List<String> command = new ArrayList<>(List.of("/usr/bin/python3", file.toString()));
            ProcessBuilder builder =
                    new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("DASK_") || name.startsWith("CAPSTAN_"));
            builder.environment().putAll(Map.of("HOME", directory.toString(), "DASK_CONFIG", directory.toString()));
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the Python client did not finish within 60 s");
            }
            TestingCapstanServer.deleteRecursively(directory);
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String quote(Optional<Path> path) {
        return "'" + path.orElseThrow() + "'";
    }
}
