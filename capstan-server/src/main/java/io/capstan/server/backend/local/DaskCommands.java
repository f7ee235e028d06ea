package io.capstan.server.backend.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every Dask command line and environment the local backend runs, in one place. Every listener is bound to
 * 127.0.0.1; TLS is required on every Dask connection ({@code require_encryption}); the HTTP routes need the
 * cluster's token (see {@code capstan_http_auth.py}); the environment is built from nothing, so no secret of the
 * control plane's own environment reaches a cluster process. Processes run under {@code setsid}, each in a process
 * group of its own, so that stopping one stops everything it started. Python runs isolated ({@code -I}: no user site,
 * no {@code PYTHON*} variable), unbuffered ({@code -u}: every line reaches the log store as it is printed) and writes
 * no bytecode ({@code -B}).
 */
final class DaskCommands {
    static final String LOOPBACK = "127.0.0.1";
    static final String INSTALLATION_VARIABLE = "CAPSTAN_INSTALLATION";
    static final String CLUSTER_VARIABLE = "CAPSTAN_CLUSTER_ID";
    static final String NODE_VARIABLE = "CAPSTAN_NODE";

    private DaskCommands() {}

    static List<String> scheduler(Path python, ClusterFolder folder, int port) {
        return List.of(
                "/usr/bin/setsid",
                python.toString(),
                "-I",
                "-u",
                "-B",
                "-m",
                "distributed.cli.dask_scheduler",
                "--host",
                LOOPBACK,
                "--port",
                Integer.toString(port),
                "--protocol",
                "tls",
                "--dashboard-address",
                LOOPBACK + ":0",
                "--no-show",
                "--scheduler-file",
                folder.schedulerFile().toString(),
                "--preload",
                folder.preload().toString());
    }

    static List<String> worker(
            Path python, ClusterFolder folder, String schedulerAddress, String name, int threads, long memoryBytes) {
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/setsid",
                python.toString(),
                "-I",
                "-u",
                "-B",
                "-m",
                "distributed.cli.dask_worker",
                schedulerAddress,
                "--host",
                LOOPBACK,
                "--name",
                name,
                "--nthreads",
                Integer.toString(threads),
                "--memory-limit",
                Long.toString(memoryBytes),
                // No nanny: it would start a second interpreter per worker, in series, before the worker can start.
                // What it adds, the control plane does itself: it replaces workers that die and restarts those
                // that pass their memory limit (LocalBackend#reconcileWorkers).
                "--no-nanny",
                "--no-dashboard",
                // The HTTP server (metrics, health) starts even without the dashboard, on every interface unless
                // told otherwise.
                "--dashboard-address",
                LOOPBACK + ":0",
                "--local-directory",
                folder.workDirectory(name).toString(),
                "--death-timeout",
                "60",
                "--preload",
                folder.preload().toString()));
        return List.copyOf(command);
    }

    /** The whole environment of a cluster process: nothing is inherited from the control plane. */
    static Map<String, String> environment(
            String installation,
            String clusterId,
            String node,
            ClusterFolder folder,
            String role,
            Map<String, String> extra) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        environment.put("HOME", folder.directory().toString());
        environment.put("LANG", "C.UTF-8");
        environment.put("DASK_CONFIG", folder.daskConfigDirectory().toString());
        environment.put("DASK_TEMPORARY_DIRECTORY", folder.temporaryDirectory().toString());
        environment.put("DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION", "True");
        environment.put(
                "DASK_DISTRIBUTED__COMM__TLS__CA_FILE",
                folder.certificateAuthority().toString());
        String prefix = "DASK_DISTRIBUTED__COMM__TLS__" + role.toUpperCase(java.util.Locale.ROOT);
        environment.put(prefix + "__CERT", folder.certificate(node).toString());
        environment.put(prefix + "__KEY", folder.privateKey(node).toString());
        environment.put("DASK_DISTRIBUTED__COMM__TLS__MIN_VERSION", "1.2");
        environment.put("CAPSTAN_HTTP_TOKEN_FILE", folder.httpToken().toString());
        // The SDKs must not fall back on the machine's instance role: a cluster gets the AWS credentials it was
        // given (AWS_CONTAINER_CREDENTIALS_FULL_URI in extra), or none.
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        environment.putAll(extra);
        environment.put(INSTALLATION_VARIABLE, installation);
        environment.put(CLUSTER_VARIABLE, clusterId);
        environment.put(NODE_VARIABLE, node);
        return environment;
    }
}
