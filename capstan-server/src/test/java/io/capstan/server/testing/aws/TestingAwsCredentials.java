package io.capstan.server.testing.aws;

import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.server.backend.local.ProcessTable;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.aws.TestingStsServer.IssuedCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * For tests of AWS credentials for workers: temporary credentials issued by {@link TestingStsServer} (a stub, not
 * STS) to use as canaries, a fake AWS identity for the control plane, and the credentials endpoint and the
 * environment of a cluster's processes as those processes see them.
 */
public final class TestingAwsCredentials {
    /** A made-up long-term key of a user; the STS stub does not check signatures. */
    public static final String USER_ACCESS_KEY_ID = "AKIAUSERCANARY000001";

    public static final String USER_SECRET_ACCESS_KEY = "UserCanarySecret0000000000000000000000001";
    /** A made-up long-term key of the control plane itself. */
    public static final String SERVER_ACCESS_KEY_ID = "AKIASERVERCANARY0001";

    public static final String SERVER_SECRET_ACCESS_KEY = "ServerCanarySecret00000000000000000000001";

    private TestingAwsCredentials() {}

    /**
     * Gives the control plane an AWS identity through the SDK's default chain, as {@code AWS_ACCESS_KEY_ID} would in
     * production: the Java system properties {@code aws.accessKeyId} and {@code aws.secretAccessKey}, which the
     * chain reads first. Every test sets the same values, so tests running side by side agree.
     */
    public static void giveTheServerAwsCredentials() {
        System.setProperty("aws.accessKeyId", SERVER_ACCESS_KEY_ID);
        System.setProperty("aws.secretAccessKey", SERVER_SECRET_ACCESS_KEY);
    }

    /** Temporary credentials from the stub's GetSessionToken, as a user's machine would get them. */
    public static IssuedCredentials sessionCredentials(TestingStsServer sts, Duration duration) {
        try (StsClient client = StsClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(sts.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(USER_ACCESS_KEY_ID, USER_SECRET_ACCESS_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            client.getSessionToken(request -> request.durationSeconds((int) duration.toSeconds()));
        }
        return sts.issuedCredentials().get(sts.issuedCredentials().size() - 1);
    }

    /** {@code issued} as the API takes them. */
    public static AwsSessionCredentials wire(IssuedCredentials issued) {
        return new AwsSessionCredentials(
                issued.accessKeyId(),
                issued.secretAccessKey(),
                Optional.of(issued.sessionToken()),
                Optional.of(issued.expiration()));
    }

    /** What the credentials endpoint answered. */
    public record Answer(int status, String body) {}

    /** Calls the credentials endpoint as botocore does: GET, the token as the Authorization header. */
    public static Answer fetch(URI uri, Optional<String> token) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        token.ifPresent(value -> request.header("Authorization", value));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The environment the scheduler process of a running cluster was started with, read from /proc. */
    public static Map<String, String> schedulerEnvironment(TestingCapstanServer server, String clusterId) {
        long pid = Clusters.processes(server, clusterId).stream()
                .filter(process -> process.node().equals("scheduler"))
                .map(ProcessTable.MarkedProcess::pid)
                .findFirst()
                .orElseThrow(() -> new AssertionError("cluster " + clusterId + " has no scheduler process"));
        try {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            Map<String, String> environment = new HashMap<>();
            for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0", -1)) {
                int equals = entry.indexOf('=');
                if (equals > 0) {
                    environment.put(entry.substring(0, equals), entry.substring(equals + 1));
                }
            }
            return environment;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
