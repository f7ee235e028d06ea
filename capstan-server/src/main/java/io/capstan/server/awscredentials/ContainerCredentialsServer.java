package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.capstan.server.internal.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS container credentials endpoint, on loopback: {@code GET /v1/clusters/CLUSTER_ID/aws-credentials} with the
 * cluster's token as the {@code Authorization} header answers the cluster's current credentials in the shape
 * botocore and the AWS SDKs read ({@code AccessKeyId}, {@code SecretAccessKey}, {@code Token}, {@code Expiration}).
 * A process finds it through {@code AWS_CONTAINER_CREDENTIALS_FULL_URI} and {@code
 * AWS_CONTAINER_AUTHORIZATION_TOKEN}.
 *
 * <p>No token: 401. A wrong token, another cluster's, or that of a stopped cluster: 403. Credentials that expired
 * without being replaced: 404, never the stale ones. What to serve is decided by a {@link WorkerCredentials}, so
 * the same server can run wherever a cluster's processes run. Never logs a token or a credential.
 */
public final class ContainerCredentialsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContainerCredentialsServer.class);
    private static final Pattern PATH = Pattern.compile("/v1/clusters/([a-z]{3}_[0-9a-z]{1,40})/aws-credentials");
    private static final int MAXIMUM_TOKEN = 200;

    private final HttpServer server;
    private final ExecutorService executor;

    private ContainerCredentialsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves {@code credentials} on 127.0.0.1:{@code port} (0: any free port). */
    public static ContainerCredentialsServer start(int port, WorkerCredentials credentials) {
        requireNonNull(credentials, "credentials is null");
        try {
            HttpServer server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 64);
            ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "capstan-aws-credentials");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/", exchange -> handle(exchange, credentials));
            server.start();
            return new ContainerCredentialsServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the AWS credentials endpoint on 127.0.0.1:" + port, e);
        }
    }

    /** The URL a cluster's processes fetch their credentials from. */
    public URI uri(String clusterId) {
        return URI.create("http://127.0.0.1:" + port() + "/v1/clusters/" + clusterId + "/aws-credentials");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, WorkerCredentials credentials) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readNBytes(4096);
            Matcher path = PATH.matcher(exchange.getRequestURI().getRawPath());
            if (!path.matches()) {
                answer(exchange, 404, message("no such path"));
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().add("Allow", "GET");
                answer(exchange, 405, message("only GET"));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || authorization.isBlank()) {
                answer(exchange, 401, message("the Authorization header must hold the cluster's token"));
                return;
            }
            if (authorization.length() > MAXIMUM_TOKEN) {
                answer(exchange, 403, message("refused"));
                return;
            }
            String clusterId = path.group(1);
            WorkerCredentials.Lookup lookup = credentials.lookup(clusterId, new Secret(authorization.trim()));
            if (lookup instanceof WorkerCredentials.Current current) {
                answer(exchange, 200, current.credentials().forWire());
            } else if (lookup instanceof WorkerCredentials.Expired expired) {
                answer(
                        exchange,
                        404,
                        message("the cluster's AWS credentials expired at " + expired.at()
                                + " and were not refreshed"));
            } else {
                log.info("refused a request for the AWS credentials of cluster {}", clusterId);
                answer(exchange, 403, message("refused"));
            }
        } catch (RuntimeException e) {
            log.error("answering a request for AWS credentials failed", e);
        }
    }

    private static byte[] message(String text) {
        return ("{\"message\":\"" + text.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
