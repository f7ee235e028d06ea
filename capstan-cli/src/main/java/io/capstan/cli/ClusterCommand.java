package io.capstan.cli;

import io.capstan.api.Durations;
import io.capstan.api.Json;
import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterLogs;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.cluster.LogLineView;
import io.capstan.api.internal.OwnerOnlyFiles;
import io.capstan.api.telemetry.ClusterMetrics;
import io.capstan.api.telemetry.TelemetrySample;
import io.capstan.api.telemetry.TelemetrySummary;
import io.capstan.client.CapstanClient;
import io.capstan.client.DataSizes;
import io.capstan.client.pki.ClientKeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "cluster",
        description = "Create, watch, scale and stop Dask clusters; get your certificate to use one.",
        subcommands = {
            ClusterCommand.Create.class,
            ClusterCommand.ListClusters.class,
            ClusterCommand.Show.class,
            ClusterCommand.Scale.class,
            ClusterCommand.Stop.class,
            ClusterCommand.Delete.class,
            ClusterCommand.Credentials.class,
            ClusterCommand.ForwardCredentials.class,
            ClusterCommand.Events.class,
            ClusterCommand.Logs.class,
            ClusterCommand.Metrics.class
        })
public final class ClusterCommand {
    private static final Duration POLL = Duration.ofMillis(100);

    @Command(
            name = "create",
            description = {
                "Create a Dask cluster with its own certificate authority; every connection to it is mutual TLS.",
                "Waits until the cluster is ready (or failed, with the reason) and shows its progress."
            })
    public static final class Create extends ClientCommand {
        @Option(
                names = "--name",
                paramLabel = "NAME",
                description = "Lowercase letters, digits and hyphens" + " (default: generated).")
        String name;

        @Option(
                names = "--account",
                paramLabel = "NAME",
                description = "Account to create it in (needed when you" + " belong to several).")
        String account;

        @Option(names = "--workers", paramLabel = "N", description = "Number of workers (default: 2).")
        Integer workers;

        @Option(names = "--threads", paramLabel = "N", description = "Threads per worker (default: 2).")
        Integer threads;

        @Option(
                names = "--memory",
                paramLabel = "SIZE",
                description = "Memory limit per worker, like 4GiB (default:" + " 4GiB).")
        String memory;

        @Option(
                names = "--idle-timeout",
                paramLabel = "DURATION",
                description = "Stop after this long with no task" + " and no client, like 20m (default: 20m).")
        String idleTimeout;

        @Option(
                names = "--max-lifetime",
                paramLabel = "DURATION",
                description = "Stop after this long whatever" + " happens, like 8h (default: 24h).")
        String maxLifetime;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label; repeat for more.")
        List<String> labels = List.of();

        @Option(
                names = "--idempotency-key",
                paramLabel = "KEY",
                description = "Makes retries of this create return" + " the same cluster (default: a new key per run).")
        String idempotencyKey;

        @Option(
                names = "--config",
                paramLabel = "[ACCOUNT/]NAME",
                description = "Start from a cluster" + " configuration; the flags given here override it.")
        String configuration;

        @Option(names = "--env", paramLabel = "[ACCOUNT/]NAME", description = "Software environment to run.")
        String environment;

        @Option(
                names = "--forward-aws-credentials",
                description = "Give the cluster's processes temporary AWS credentials made from yours (found as the"
                        + " AWS CLI finds them): a long-term key is exchanged for a session token with STS"
                        + " GetSessionToken and never leaves this machine; session credentials are forwarded as they"
                        + " are. Workers get them through the AWS SDKs' container credentials endpoint. Refresh them"
                        + " with 'capstan cluster forward-credentials'.")
        boolean forwardAwsCredentials;

        @Option(
                names = "--aws-session-duration",
                paramLabel = "DURATION",
                description = "How long the session token made for --forward-aws-credentials lasts (default: 12h;"
                        + " 15m to 36h).")
        String awsSessionDuration;

        @Option(
                names = "--aws-role",
                description = "Have the control plane assume the account's AWS role (capstan account set-aws-role)"
                        + " for the cluster's processes, and refresh the credentials itself while the cluster runs.")
        boolean awsRole;

        @Option(
                names = "--wait",
                negatable = true,
                defaultValue = "true",
                fallbackValue = "true",
                description = "Show progress until the cluster is ready or failed (the default); --no-wait returns"
                        + " as soon as the cluster is accepted.")
        boolean wait;

        public Create(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            if (forwardAwsCredentials && awsRole) {
                throw new CliException("give either --forward-aws-credentials or --aws-role, not both");
            }
            if (awsSessionDuration != null && !forwardAwsCredentials) {
                throw new CliException("--aws-session-duration goes with --forward-aws-credentials");
            }
            Optional<LocalAwsCredentials.Forwardable> aws = forwardAwsCredentials
                    ? Optional.of(LocalAwsCredentials.resolve(
                            terminal.environment(),
                            LocalAwsCredentials.sessionDuration(awsSessionDuration),
                            java.time.Clock.systemUTC()))
                    : Optional.empty();
            aws.ifPresent(forwardable -> terminal.err().println(forwardable.description()));
            CreateClusterRequest request = new CreateClusterRequest(
                    Optional.ofNullable(name),
                    Optional.ofNullable(account),
                    Optional.ofNullable(workers),
                    Optional.ofNullable(threads),
                    Optional.ofNullable(memory).map(value -> parse("--memory", () -> DataSizes.parse(value))),
                    Optional.ofNullable(idleTimeout)
                            .map(value -> parse(
                                    "--idle-timeout",
                                    () -> Durations.parse(value).toSeconds())),
                    Optional.ofNullable(maxLifetime)
                            .map(value -> parse(
                                    "--max-lifetime",
                                    () -> Durations.parse(value).toSeconds())),
                    labels.isEmpty() ? Optional.empty() : Optional.of(labels(labels)),
                    Optional.ofNullable(configuration),
                    Optional.ofNullable(environment),
                    aws.map(LocalAwsCredentials.Forwardable::credentials),
                    awsRole ? Optional.of(true) : Optional.empty());
            ClusterView created = client.createCluster(
                    request,
                    Optional.of(Optional.ofNullable(idempotencyKey)
                            .orElse(UUID.randomUUID().toString())));
            terminal.err()
                    .println("Cluster " + created.name() + " (" + created.id() + ") created in account "
                            + created.account() + ".");
            ClusterView cluster = !wait ? created : await(terminal, client, created, settled());
            output.print(cluster, () -> describe(output, cluster));
            failIfFailed(cluster);
        }
    }

    @Command(name = "list", description = "List the clusters of your accounts.")
    public static final class ListClusters extends ClientCommand {
        @Option(names = "--account", paramLabel = "NAME", description = "Only this account's clusters.")
        String account;

        @Option(names = "--all", description = "Also stopped and failed clusters.")
        boolean all;

        public ListClusters(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<ClusterView> clusters = client.listClusters(Optional.ofNullable(account)).stream()
                    .filter(cluster -> all || isLive(cluster))
                    .toList();
            output.print(
                    clusters,
                    () -> output.table(
                            List.of("NAME", "ID", "ACCOUNT", "STATE", "WORKERS", "SCHEDULER", "CREATED"),
                            clusters.stream()
                                    .map(cluster -> List.of(
                                            cluster.name(),
                                            cluster.id(),
                                            cluster.account(),
                                            cluster.state(),
                                            Integer.toString(cluster.workers()),
                                            cluster.schedulerAddress().orElse("-"),
                                            Output.time(cluster.createdAt())))
                                    .toList()));
        }
    }

    @Command(name = "show", description = "Show a cluster.")
    public static final class Show extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        public Show(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            ClusterView view = client.showCluster(resolve(client, cluster));
            output.print(view, () -> describe(output, view));
        }
    }

    @Command(name = "scale", description = "Change the number of workers of a running cluster.")
    public static final class Scale extends ClientCommand {
        @Parameters(index = "0", paramLabel = "NAME|ID")
        String cluster;

        @Parameters(index = "1", paramLabel = "WORKERS")
        int workers;

        @Option(names = "--no-wait", description = "Return without waiting for the workers.")
        boolean noWait;

        public Scale(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            ClusterView scaled = client.scaleCluster(resolve(client, cluster), workers);
            ClusterView view = noWait ? scaled : await(terminal, client, scaled, settled());
            output.print(view, () -> describe(output, view));
            failIfFailed(view);
        }
    }

    @Command(name = "stop", description = "Stop a cluster: its processes end, its files go, its CA key is destroyed.")
    public static final class Stop extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        @Option(names = "--no-wait", description = "Return without waiting until it has stopped.")
        boolean noWait;

        public Stop(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            ClusterView stopping = client.stopCluster(resolve(client, cluster));
            ClusterView view =
                    noWait ? stopping : await(terminal, client, stopping, state -> !state.equals("stopping"));
            output.print(view, () -> output.line("Cluster " + view.name() + " is " + view.state() + "."));
        }
    }

    @Command(name = "delete", description = "Forget a stopped or failed cluster.")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        public Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            String id = resolve(client, cluster);
            client.deleteCluster(id);
            output.print(Map.of("deleted", id), () -> output.line("Deleted cluster " + id + "."));
        }
    }

    @Command(
            name = "credentials",
            description = {
                "Get your personal client certificate for a cluster. The key pair is made here and the private key"
                        + " never leaves this machine; the certificate names you and lives 12 hours at most.",
                "Writes ca.pem, client.pem and client-key.pem (mode 0600) to a folder of mode 0700 and prints how to"
                        + " connect from Python."
            })
    public static final class Credentials extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "Where to write them (default: next to the config" + " file, in clusters/CLUSTER_ID).")
        Path directory;

        @Option(names = "--lifetime", paramLabel = "DURATION", description = "Shorter than the default 12h, like 1h.")
        String lifetime;

        public Credentials(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            String id = resolve(client, cluster);
            String username = client.me().user().username();
            ClientKeyPair keys = ClientKeyPair.generate();
            ClientCertificateView certificate = client.clientCertificate(
                    id,
                    new ClientCertificateRequest(
                            keys.certificateSigningRequestPem(username),
                            Optional.ofNullable(lifetime)
                                    .map(value -> parse(
                                            "--lifetime",
                                            () -> Durations.parse(value).toSeconds()))));
            Path folder = Optional.ofNullable(directory)
                    .orElseGet(() -> configFile().folder().resolve("clusters").resolve(id))
                    .toAbsolutePath();
            Path ca = folder.resolve("ca.pem");
            Path cert = folder.resolve("client.pem");
            Path key = folder.resolve("client-key.pem");
            try {
                OwnerOnlyFiles.createFolders(folder);
                OwnerOnlyFiles.write(ca, certificate.certificateAuthority().getBytes(StandardCharsets.US_ASCII));
                OwnerOnlyFiles.write(cert, certificate.certificate().getBytes(StandardCharsets.US_ASCII));
                OwnerOnlyFiles.write(key, keys.privateKeyPem().getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the credentials to " + folder, e);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("schedulerAddress", certificate.schedulerAddress());
            result.put("caFile", ca.toString());
            result.put("certificateFile", cert.toString());
            result.put("keyFile", key.toString());
            result.put("expiresAt", certificate.expiresAt().toString());
            output.print(result, () -> {
                output.line("Certificate for " + certificate.subject() + ", valid until "
                        + Output.time(certificate.expiresAt()) + ", written to " + folder + ".");
                output.line("Scheduler: " + certificate.schedulerAddress());
                output.line("");
                output.line("from distributed import Client");
                output.line("from distributed.security import Security");
                output.line("security = Security(tls_ca_file=" + python(ca) + ", tls_client_cert=" + python(cert)
                        + ", tls_client_key=" + python(key) + ", require_encryption=True)");
                output.line("client = Client(" + python(certificate.schedulerAddress()) + ", security=security)");
            });
        }
    }

    @Command(
            name = "forward-credentials",
            description = {
                "Forward fresh temporary AWS credentials to a cluster created with --forward-aws-credentials, for a"
                        + " cluster that outlives them. Made from your AWS credentials as on create; says when the"
                        + " current ones expire and when the new ones do.",
                "The cluster's processes pick them up on their own: the AWS SDKs fetch them again before the old"
                        + " ones expire."
            })
    public static final class ForwardCredentials extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        @Option(
                names = "--aws-session-duration",
                paramLabel = "DURATION",
                description = "How long the session token lasts (default: 12h; 15m to 36h).")
        String awsSessionDuration;

        public ForwardCredentials(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            String id = resolve(client, cluster);
            ClusterView before = client.showCluster(id);
            before.awsCredentials()
                    .ifPresent(current -> terminal.err()
                            .println("The current AWS credentials of " + before.name() + " "
                                    + current.expiresAt()
                                            .map(at -> "expire at " + Output.time(at) + ".")
                                            .orElse("have expired.")));
            LocalAwsCredentials.Forwardable aws = LocalAwsCredentials.resolve(
                    terminal.environment(),
                    LocalAwsCredentials.sessionDuration(awsSessionDuration),
                    java.time.Clock.systemUTC());
            terminal.err().println(aws.description());
            terminal.err().flush();
            io.capstan.api.aws.AwsCredentialsStatus status = client.forwardAwsCredentials(id, aws.credentials());
            output.print(
                    status,
                    () -> output.line("Forwarded AWS credentials to cluster " + before.name() + "; they expire at "
                            + Output.time(status.expiresAt(), "(already expired)") + "."));
        }
    }

    @Command(name = "events", description = "What happened to a cluster: state changes with reasons, certificates.")
    public static final class Events extends ClientCommand {
        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        public Events(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<ClusterEventView> events = client.clusterEvents(resolve(client, cluster), 0);
            output.print(
                    events,
                    () -> events.forEach(event ->
                            output.line(Output.time(event.at()) + "  " + event.kind() + "  " + event.message())));
        }
    }

    @Command(
            name = "logs",
            description = {
                "What the cluster's processes wrote, oldest first. Logs stay readable after the cluster stops, until"
                        + " the server's log retention (30 days by default) removes them.",
                "With --follow, new lines are printed as they arrive until the cluster has stopped."
            })
    public static final class Logs extends ClientCommand {
        private static final int PAGE = 1000;
        private static final Duration FOLLOW_INTERVAL = Duration.ofMillis(500);

        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        @Option(
                names = "--node",
                paramLabel = "NODE",
                description = "Only this process: scheduler, worker-0, worker-1, ...")
        Optional<String> node = Optional.empty();

        @Option(
                names = "--since",
                paramLabel = "DURATION",
                description = "Only lines of the last DURATION (10m, 2h, 1d).")
        Optional<String> since = Optional.empty();

        @Option(
                names = {"-f", "--follow"},
                description = "Keep printing new lines until the cluster has stopped.")
        boolean follow;

        public Logs(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            since.ifPresent(value -> {
                try {
                    Durations.parse(value);
                } catch (IllegalArgumentException e) {
                    throw new CliException("--since must be a duration like 10m, 2h or 1d");
                }
            });
            String id = resolve(client, cluster);
            long after = 0;
            while (true) {
                ClusterLogs page = client.clusterLogs(id, node, since, after, PAGE);
                for (LogLineView line : page.items()) {
                    print(output, line);
                    after = line.id();
                }
                output.writer().flush();
                boolean ended = page.clusterState().equals("stopped")
                        || page.clusterState().equals("failed");
                if (page.items().size() == PAGE) {
                    continue;
                }
                if (!follow || ended) {
                    if (page.droppedLines() > 0) {
                        terminal.err()
                                .println("capstan: " + page.droppedLines() + " lines of this cluster were"
                                        + " dropped by the server's log size guard");
                        terminal.err().flush();
                    }
                    return;
                }
                try {
                    Thread.sleep(FOLLOW_INTERVAL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private static void print(Output output, LogLineView line) {
            if (output.isJson()) {
                output.writer().println(Json.lenient().writeValueAsString(line));
            } else {
                output.line(Output.time(line.at()) + "  " + line.node() + "  " + line.text());
            }
        }
    }

    @Command(
            name = "metrics",
            description = "A cluster's figures now and a sparkline of their history: workers, tasks, memory.")
    public static final class Metrics extends ClientCommand {
        private static final int WIDTH = 60;

        @Parameters(paramLabel = "NAME|ID")
        String cluster;

        @Option(
                names = "--since",
                paramLabel = "DURATION",
                defaultValue = "1h",
                description = "How much history to draw (default: ${DEFAULT-VALUE}).")
        String since;

        public Metrics(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            ClusterMetrics metrics = client.clusterMetrics(resolve(client, cluster), since);
            output.print(metrics, () -> describe(output, metrics));
        }

        private static void describe(Output output, ClusterMetrics metrics) {
            if (metrics.summary().isEmpty()) {
                output.line("no telemetry yet: the collector has not observed this cluster's scheduler");
                return;
            }
            TelemetrySummary summary = metrics.summary().get();
            List<TelemetrySample> history = metrics.history();
            output.line("observed   " + Output.time(summary.firstSeenAt()) + " to " + Output.time(summary.lastSeenAt())
                    + " (" + Durations.format(Duration.ofSeconds(summary.uptimeSeconds())) + ")");
            output.line(String.format(
                    java.util.Locale.ROOT,
                    "workers    %d now, %d at the peak, %.2f worker-hours   %s",
                    summary.workersCurrent(),
                    summary.workersPeak(),
                    summary.workerHours(),
                    Sparkline.of(
                            history.stream()
                                    .map(sample -> (double) sample.workers())
                                    .toList(),
                            WIDTH)));
            output.line("tasks      " + summary.tasksCompleted() + " completed, " + summary.tasksErred() + " erred   "
                    + Sparkline.of(
                            history.stream()
                                    .map(sample -> (double) sample.tasksProcessing())
                                    .toList(),
                            WIDTH));
            output.line("memory     "
                    + summary.memoryCurrentBytes().map(DataSizes::format).orElse("not reported") + " now, "
                    + summary.memoryPeakBytes().map(DataSizes::format).orElse("not reported") + " at the peak   "
                    + Sparkline.of(
                            history.stream()
                                    .map(sample ->
                                            sample.memoryBytes().orElse(0L).doubleValue())
                                    .toList(),
                            WIDTH));
            summary.computeSeconds()
                    .ifPresent(seconds ->
                            output.line("compute    " + Durations.format(Duration.ofSeconds(Math.round(seconds)))));
            if (!summary.tasksByPrefix().isEmpty()) {
                output.line("by prefix  "
                        + summary.tasksByPrefix().entrySet().stream()
                                .sorted(Map.Entry.<String, Long>comparingByValue()
                                        .reversed())
                                .limit(10)
                                .map(entry -> entry.getKey() + " " + entry.getValue())
                                .collect(java.util.stream.Collectors.joining(", ")));
            }
        }
    }

    /** A cluster id, from an id or from the name of a live cluster of one of the caller's accounts. */
    static String resolve(CapstanClient client, String nameOrId) {
        if (nameOrId.startsWith("clu_")) {
            return nameOrId;
        }
        List<ClusterView> named = client.listClusters(Optional.empty()).stream()
                .filter(cluster -> cluster.name().equals(nameOrId))
                .toList();
        List<ClusterView> live = named.stream().filter(ClusterCommand::isLive).toList();
        List<ClusterView> candidates = live.isEmpty() ? named.stream().limit(1).toList() : live;
        if (candidates.isEmpty()) {
            throw new CliException("no cluster named '" + nameOrId + "' in your accounts");
        }
        if (candidates.size() > 1) {
            throw new CliException("several clusters are named '" + nameOrId + "' (in accounts "
                    + candidates.stream().map(ClusterView::account).toList() + "); give the id instead");
        }
        return candidates.get(0).id();
    }

    static boolean isLive(ClusterView cluster) {
        return !cluster.state().equals("stopped") && !cluster.state().equals("failed");
    }

    /** Whether a cluster in this state has got where it was going: running, or ended. */
    static Predicate<String> settled() {
        return state -> state.equals("running") || state.equals("stopped") || state.equals("failed");
    }

    /** Polls the cluster, printing its events as progress, until {@code done} holds for its state. */
    static ClusterView await(Terminal terminal, CapstanClient client, ClusterView cluster, Predicate<String> done) {
        long after = 0;
        ClusterView current = cluster;
        while (true) {
            for (ClusterEventView event : client.clusterEvents(cluster.id(), after)) {
                terminal.err().println("  " + Output.time(event.at()) + "  " + event.message());
                after = event.id();
            }
            terminal.err().flush();
            if (done.test(current.state())) {
                return current;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException("interrupted; the cluster goes on");
            }
            current = client.showCluster(cluster.id());
        }
    }

    static void describe(Output output, ClusterView cluster) {
        output.line("cluster " + cluster.name() + " (" + cluster.id() + "), account " + cluster.account()
                + ", created by " + cluster.creator());
        output.line("state:     " + cluster.state()
                + cluster.stateReason().map(reason -> " (" + reason + ")").orElse(""));
        output.line("workers:   " + cluster.workers() + " × " + cluster.threadsPerWorker() + " threads, "
                + DataSizes.format(cluster.memoryPerWorkerBytes()) + " each");
        output.line("scheduler: " + cluster.schedulerAddress().orElse("-"));
        output.line("idle timeout " + Durations.format(Duration.ofSeconds(cluster.idleTimeoutSeconds()))
                + ", ends at the latest " + Output.time(cluster.expiresAt()));
        if (!cluster.labels().isEmpty()) {
            output.line("labels:    " + cluster.labels());
        }
        output.line("aws:       "
                + cluster.awsCredentials()
                        .map(aws -> (aws.source().equals("account-role")
                                        ? "the account's role"
                                                + aws.roleArn()
                                                        .map(arn -> " " + arn)
                                                        .orElse("")
                                        : "forwarded credentials")
                                + aws.expiresAt()
                                        .map(at -> ", expire at " + Output.time(at))
                                        .orElse(", none valid now")
                                + aws.lastRefreshProblem()
                                        .map(problem -> " (last refresh failed: " + problem + ")")
                                        .orElse(""))
                        .orElse("no AWS credentials"));
    }

    private static void failIfFailed(ClusterView cluster) {
        if (cluster.state().equals("failed")) {
            throw new CliException("cluster " + cluster.name() + " failed: "
                    + cluster.stateReason().orElse("no reason given"));
        }
    }

    private static Map<String, String> labels(List<String> given) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String label : given) {
            int equals = label.indexOf('=');
            if (equals <= 0) {
                throw new CliException("--label must be KEY=VALUE, not '" + label + "'");
            }
            labels.put(label.substring(0, equals), label.substring(equals + 1));
        }
        return labels;
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T parse(String option, Parse<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new CliException(option + ": " + e.getMessage());
        }
    }

    private static String python(Object value) {
        return "'" + value.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
