package io.capstan.bench;

import io.capstan.client.pki.ClientKeyPair;
import io.capstan.server.internal.Ids;
import io.capstan.server.pki.ClientCertificate;
import io.capstan.server.pki.ClusterCertificateAuthority;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of one cluster's whole PKI on one thread, as a 2-worker cluster and its first user need it: the cluster's
 * authority, certificates and keys for the scheduler and both workers, and a client certificate for a key pair and
 * signing request made as the client makes them ({@link ClientKeyPair}). That is five EC P-256 key pairs and five
 * signatures. Baseline: the same five key pairs from the JDK's {@link KeyPairGenerator} alone, so the ratio shows
 * what the certificates cost on top of the keys. The two are measured alternately, so a change in the machine's load
 * hits both alike.
 */
final class PkiBenchmark {
    private static final List<String> NODES = List.of("scheduler", "worker-0", "worker-1");
    private static final int KEY_PAIRS = NODES.size() + 2;
    /** The JIT needs a few hundred rounds of the elliptic curve arithmetic before the figures settle. */
    private static final Duration WARMUP = Duration.ofSeconds(5);

    private static final int MIN_WARMUPS = 200;

    private PkiBenchmark() {}

    static void run(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        Clock clock = Clock.systemUTC();
        long warmupEnd = System.nanoTime() + WARMUP.toNanos();
        int warmups = 0;
        while (System.nanoTime() < warmupEnd || warmups < MIN_WARMUPS) {
            issue(clock.instant(), loopback);
            keyPairs();
            warmups++;
        }
        List<Duration> issuances = new ArrayList<>(iterations);
        List<Duration> baselines = new ArrayList<>(iterations);
        for (int i = 0; i < iterations; i++) {
            Instant now = clock.instant();
            long start = System.nanoTime();
            issue(now, loopback);
            long issued = System.nanoTime();
            keyPairs();
            long generated = System.nanoTime();
            issuances.add(Duration.ofNanos(issued - start));
            baselines.add(Duration.ofNanos(generated - issued));
        }
        Measure.Timings pki = Measure.Timings.of(issuances);
        Measure.Timings baseline = Measure.Timings.of(baselines);
        System.out.printf(
                "cluster PKI, one thread, %,d issuances after %,d warm-up ones: CA + scheduler + 2 workers"
                        + " + 1 client (CSR from ClientKeyPair)%n",
                iterations, warmups);
        System.out.printf(
                "  full issuance:  median %s, p95 %s, %,.0f issuances per second%n",
                Measure.milliseconds(pki.median()), Measure.milliseconds(pki.p95()), pki.perSecond());
        System.out.printf(
                "  baseline, %d EC P-256 key pairs from the JDK's KeyPairGenerator alone:"
                        + " median %s, p95 %s, %,.0f per second%n",
                KEY_PAIRS,
                Measure.milliseconds(baseline.median()),
                Measure.milliseconds(baseline.p95()),
                baseline.perSecond());
        System.out.printf(
                "ratio full issuance / baseline (medians): %.2f%n",
                pki.median().toNanos() / (double) baseline.median().toNanos());
        System.out.printf("machine: %s%n", Measure.machine());
    }

    private static ClientCertificate issue(Instant now, InetAddress loopback) {
        Instant notAfter = now.plus(Duration.ofHours(24));
        ClusterCertificateAuthority authority = ClusterCertificateAuthority.create(Ids.newId("clu"), now, notAfter);
        for (String node : NODES) {
            authority.issueNode(node, List.of("localhost"), List.of(loopback), now, notAfter);
        }
        ClientKeyPair keys = ClientKeyPair.generate();
        return authority.signClientCertificate(
                keys.certificateSigningRequestPem("bench"), "bench", now, Duration.ofHours(12));
    }

    private static List<KeyPair> keyPairs() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        List<KeyPair> keyPairs = new ArrayList<>(KEY_PAIRS);
        for (int i = 0; i < KEY_PAIRS; i++) {
            keyPairs.add(generator.generateKeyPair());
        }
        return keyPairs;
    }
}
