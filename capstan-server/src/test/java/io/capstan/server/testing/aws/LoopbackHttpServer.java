package io.capstan.server.testing.aws;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP plumbing the AWS wire stubs share: the JDK's HTTP server on an ephemeral loopback port, a thread per
 * request (so one delayed answer does not hold up the next request), and a delay that ends early when the server
 * closes, so a test that provoked a timeout never waits for the stub.
 */
final class LoopbackHttpServer implements AutoCloseable {
    static {
        // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK, and
        // every answer takes about 40 ms. The JDK reads this property once, before its first server starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);

    private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
        this.server = requireNonNull(server, "server is null");
        this.executor = requireNonNull(executor, "executor is null");
    }

    static LoopbackHttpServer start(String name, HttpHandler handler) {
        requireNonNull(handler, "handler is null");
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
        return new LoopbackHttpServer(server, executor);
    }

    URI endpoint() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /**
     * Waits for {@code delay}, or less if the server closes meanwhile.
     *
     * @return whether the server closed while waiting, in which case the request should be dropped unanswered
     */
    boolean pause(Duration delay) throws InterruptedException {
        if (delay.isZero()) {
            return false;
        }
        return closed.await(delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
