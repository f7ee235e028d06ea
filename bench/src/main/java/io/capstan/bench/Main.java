package io.capstan.bench;

import java.util.Arrays;

/** Runs the benchmark named by the first argument. Each one prints its figures and the baseline it compares to. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String name = args.length == 0 ? "" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (name) {
            case "keyring" -> KeyringBenchmark.run(rest);
            case "cluster-start" -> ClusterStartBenchmark.run(rest);
            case "pki" -> PkiBenchmark.run(rest);
            case "telemetry" -> TelemetryBenchmark.run(rest);
            default -> {
                System.err.println("unknown benchmark '" + name + "'; known: keyring, cluster-start, pki, telemetry");
                System.exit(2);
            }
        }
    }
}
