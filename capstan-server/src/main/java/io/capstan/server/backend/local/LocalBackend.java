package io.capstan.server.backend.local;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.server.backend.ClusterBackend;
import io.capstan.server.backend.ClusterBackend.LogChunk;
import io.capstan.server.backend.ClusterBackend.SchedulerEndpoint;
import io.capstan.server.backend.ClusterBackend.WorkerRepairs;
import io.capstan.server.backend.ClusterObservation;
import io.capstan.server.backend.ClusterObservation.SchedulerStatistics;
import io.capstan.server.backend.ClusterObservation.SchedulerStatus;
import io.capstan.server.backend.ClusterSpec;
import io.capstan.server.internal.Secret;
import io.capstan.server.pki.NodeCertificate;
import io.capstan.server.telemetry.SchedulerMetricsClient;
import io.capstan.server.telemetry.prometheus.PrometheusScrape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Clusters as processes on this machine: a Dask scheduler and workers per cluster, started concurrently (the
 * scheduler's port is chosen up front, so workers need not wait for it), every listener on 127.0.0.1, mutual TLS
 * with the cluster's own certificates, output to files in the cluster's folder. Processes live in their own
 * sessions and outlive a restart of the control plane, which finds them again through {@link ProcessTable}.
 * Thread-safe; each cluster is handled under its own lock.
 */
public final class LocalBackend implements ClusterBackend {
    private static final Logger log = LoggerFactory.getLogger(LocalBackend.class);
    private static final String SCHEDULER = "scheduler";
    private static final String WORKER_PREFIX = "worker-";
    private static final Duration MEMORY_CHECK_INTERVAL = Duration.ofSeconds(2);

    private final Path clustersDirectory;
    private final String installation;
    private final Duration stopGracePeriod;
    private final SchedulerMetricsClient metrics;
    private final Map<String, LocalCluster> clusters = new ConcurrentHashMap<>();

    public LocalBackend(
            Path clustersDirectory, String installation, Duration stopGracePeriod, SchedulerMetricsClient metrics) {
        this.clustersDirectory = requireNonNull(clustersDirectory, "clustersDirectory is null");
        this.installation = requireNonNull(installation, "installation is null");
        this.stopGracePeriod = requireNonNull(stopGracePeriod, "stopGracePeriod is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public String name() {
        return "local";
    }

    /** What this backend knows of one cluster. Guarded by its own monitor. */
    private static final class LocalCluster {
        private final ClusterFolder folder;
        private final int schedulerPort;
        private final Secret httpToken;
        private Optional<ProcessHandle> scheduler = Optional.empty();
        private final Map<String, ProcessHandle> workers =
                new TreeMap<>(Comparator.comparingInt(LocalBackend::workerIndex));
        private final Set<String> retiring = new HashSet<>();
        private final Set<String> restarting = new HashSet<>();
        private int nextWorker;
        private long lastMemoryCheck;

        private LocalCluster(ClusterFolder folder, int schedulerPort, Secret httpToken) {
            this.folder = folder;
            this.schedulerPort = schedulerPort;
            this.httpToken = httpToken;
        }

        private String schedulerAddress() {
            return "tls://" + DaskCommands.LOOPBACK + ":" + schedulerPort;
        }
    }

    @Override
    public void start(ClusterSpec spec) {
        LocalCluster cluster =
                clusters.computeIfAbsent(spec.clusterId(), id -> recover(id).orElseGet(() -> prepare(spec)));
        synchronized (cluster) {
            if (cluster.scheduler.isEmpty() || !cluster.scheduler.get().isAlive()) {
                if (cluster.scheduler.isEmpty()) {
                    NodeCertificate certificate = spec.nodeCertificates().issue(SCHEDULER);
                    writeNode(cluster.folder, SCHEDULER, certificate);
                    cluster.scheduler = Optional.of(spawn(
                            spec,
                            cluster,
                            SCHEDULER,
                            "scheduler",
                            DaskCommands.scheduler(spec.pythonExecutable(), cluster.folder, cluster.schedulerPort)));
                }
            }
            startWorkers(spec, cluster);
        }
    }

    private LocalCluster prepare(ClusterSpec spec) {
        ClusterFolder folder = ClusterFolder.of(clustersDirectory, spec.clusterId());
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Secret token = new Secret(HexFormat.of().formatHex(random));
        try {
            folder.create(spec.certificateAuthorityPem(), token.reveal());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster folder " + folder.directory(), e);
        }
        return new LocalCluster(folder, freeLoopbackPort(), token);
    }

    /** Finds the processes and folder of a cluster started before this control plane did. */
    private Optional<LocalCluster> recover(String clusterId) {
        ClusterFolder folder = ClusterFolder.of(clustersDirectory, clusterId);
        List<ProcessTable.MarkedProcess> processes = ProcessTable.scan(installation).stream()
                .filter(process -> process.clusterId().equals(clusterId) && process.isGroupLeader())
                .toList();
        Optional<Integer> port = schedulerPortFromFile(folder);
        if (processes.isEmpty() || port.isEmpty() || !Files.exists(folder.httpToken())) {
            return Optional.empty();
        }
        try {
            LocalCluster cluster = new LocalCluster(
                    folder,
                    port.get(),
                    new Secret(Files.readString(folder.httpToken(), StandardCharsets.US_ASCII)
                            .trim()));
            for (ProcessTable.MarkedProcess process : processes) {
                Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
                if (handle.isEmpty()) {
                    continue;
                }
                if (process.node().equals(SCHEDULER)) {
                    cluster.scheduler = handle;
                } else if (process.node().startsWith(WORKER_PREFIX)) {
                    cluster.workers.put(process.node(), handle.get());
                    cluster.nextWorker = Math.max(cluster.nextWorker, workerIndex(process.node()) + 1);
                }
            }
            log.info(
                    "found cluster {} running: scheduler {}, {} workers",
                    clusterId,
                    cluster.scheduler.isPresent() ? "alive" : "gone",
                    cluster.workers.size());
            return Optional.of(cluster);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void startWorkers(ClusterSpec spec, LocalCluster cluster) {
        while (liveWorkers(cluster) < spec.workers()) {
            String name = WORKER_PREFIX + cluster.nextWorker++;
            writeNode(cluster.folder, name, spec.nodeCertificates().issue(name));
            cluster.workers.put(
                    name,
                    spawn(
                            spec,
                            cluster,
                            name,
                            "worker",
                            DaskCommands.worker(
                                    spec.pythonExecutable(),
                                    cluster.folder,
                                    cluster.schedulerAddress(),
                                    name,
                                    spec.threadsPerWorker(),
                                    spec.memoryPerWorkerBytes())));
        }
    }

    private static long liveWorkers(LocalCluster cluster) {
        return cluster.workers.entrySet().stream()
                .filter(entry -> entry.getValue().isAlive()
                        && !cluster.retiring.contains(entry.getKey())
                        && !cluster.restarting.contains(entry.getKey()))
                .count();
    }

    @Override
    public WorkerRepairs reconcileWorkers(ClusterSpec spec) {
        LocalCluster cluster = clusters.get(spec.clusterId());
        if (cluster == null) {
            return WorkerRepairs.none();
        }
        synchronized (cluster) {
            int died = 0;
            for (var iterator = cluster.workers.entrySet().iterator(); iterator.hasNext(); ) {
                var worker = iterator.next();
                if (!worker.getValue().isAlive()) {
                    if (!cluster.retiring.remove(worker.getKey()) && !cluster.restarting.remove(worker.getKey())) {
                        died++;
                        log.info("cluster {}: {} exited", spec.clusterId(), worker.getKey());
                    }
                    iterator.remove();
                }
            }
            List<String> alive = cluster.workers.keySet().stream()
                    .filter(name -> !cluster.retiring.contains(name))
                    .toList();
            for (int surplus = alive.size() - spec.workers(); surplus > 0; surplus--) {
                String name = alive.get(alive.size() - surplus);
                cluster.retiring.add(name);
                ProcessTable.signalGroup(cluster.workers.get(name).pid(), "TERM");
            }
            List<String> restarted = enforceMemoryLimits(spec, cluster);
            startWorkers(spec, cluster);
            return new WorkerRepairs(died, restarted);
        }
    }

    /**
     * What Dask's nanny would do, done by the control plane: a worker whose processes together hold more than 95 %
     * of its memory limit is stopped, and then replaced like any worker that ended. Checked every two seconds.
     */
    private List<String> enforceMemoryLimits(ClusterSpec spec, LocalCluster cluster) {
        long now = System.nanoTime();
        if (now - cluster.lastMemoryCheck < MEMORY_CHECK_INTERVAL.toNanos()) {
            return List.of();
        }
        cluster.lastMemoryCheck = now;
        long limit = spec.memoryPerWorkerBytes() * 95 / 100;
        Map<Long, Long> residentByGroup = new java.util.HashMap<>();
        for (ProcessTable.MarkedProcess process : ProcessTable.scan(installation)) {
            if (process.clusterId().equals(spec.clusterId())) {
                residentByGroup.merge(process.processGroup(), ProcessTable.residentBytes(process.pid()), Long::sum);
            }
        }
        List<String> restarted = new ArrayList<>();
        for (Map.Entry<String, ProcessHandle> worker : cluster.workers.entrySet()) {
            String name = worker.getKey();
            long resident = residentByGroup.getOrDefault(worker.getValue().pid(), 0L);
            if (resident > limit && !cluster.retiring.contains(name) && cluster.restarting.add(name)) {
                log.info(
                        "cluster {}: {} uses {} bytes, over 95% of its limit of {}; restarting it",
                        spec.clusterId(), name, resident, spec.memoryPerWorkerBytes());
                ProcessTable.signalGroup(worker.getValue().pid(), "KILL");
                restarted.add(name);
            }
        }
        return restarted;
    }

    @Override
    public ClusterObservation observe(String clusterId) {
        LocalCluster cluster = clusters.get(clusterId);
        if (cluster == null) {
            Optional<LocalCluster> recovered = recover(clusterId);
            if (recovered.isEmpty()) {
                return ClusterObservation.absent();
            }
            cluster = clusters.computeIfAbsent(clusterId, id -> recovered.get());
        }
        synchronized (cluster) {
            int workerProcesses = (int) liveWorkers(cluster);
            if (cluster.scheduler.isEmpty()) {
                return new ClusterObservation(
                        SchedulerStatus.ABSENT, Optional.empty(), workerProcesses, Optional.empty(), Optional.empty());
            }
            if (!cluster.scheduler.get().isAlive()) {
                return new ClusterObservation(
                        SchedulerStatus.EXITED,
                        Optional.of(cluster.schedulerAddress()),
                        workerProcesses,
                        Optional.empty(),
                        Optional.of("the scheduler exited" + lastWords(cluster)));
            }
            Optional<SchedulerStatistics> statistics = statistics(cluster);
            return new ClusterObservation(
                    statistics.isPresent() ? SchedulerStatus.UP : SchedulerStatus.STARTING,
                    Optional.of(cluster.schedulerAddress()),
                    workerProcesses,
                    statistics,
                    Optional.empty());
        }
    }

    @Override
    public Optional<SchedulerEndpoint> schedulerEndpoint(String clusterId) {
        LocalCluster cluster = clusters.get(clusterId);
        if (cluster == null) {
            return Optional.empty();
        }
        return dashboardPort(cluster.folder)
                .map(port -> new SchedulerEndpoint(
                        URI.create("http://" + DaskCommands.LOOPBACK + ":" + port), cluster.httpToken));
    }

    private Optional<SchedulerStatistics> statistics(LocalCluster cluster) {
        Optional<Integer> port = dashboardPort(cluster.folder);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        try {
            PrometheusScrape scrape = metrics.scrape(
                    URI.create("http://" + DaskCommands.LOOPBACK + ":" + port.get() + "/metrics"), cluster.httpToken);
            int connected = scrape.sum("dask_scheduler_workers", Map.of("state", "connected"))
                    .orElse(0.0)
                    .intValue();
            int clients =
                    scrape.sum("dask_scheduler_clients", Map.of()).orElse(0.0).intValue();
            int processing = scrape.sum("dask_scheduler_tasks", Map.of("state", "processing"))
                    .orElse(0.0)
                    .intValue();
            long total =
                    scrape.sum("dask_scheduler_tasks", Map.of()).orElse(0.0).longValue()
                            + scrape.sum("dask_scheduler_tasks_forgotten_total", Map.of())
                                    .orElse(0.0)
                                    .longValue();
            return Optional.of(new SchedulerStatistics(connected, clients, processing, total));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void stopProcesses(String clusterId) {
        LocalCluster cluster = clusters.get(clusterId);
        Object lock = cluster == null ? new Object() : cluster;
        synchronized (lock) {
            Set<Long> groups = new HashSet<>();
            if (cluster != null) {
                cluster.scheduler.ifPresent(handle -> groups.add(handle.pid()));
                cluster.workers.values().forEach(handle -> groups.add(handle.pid()));
            }
            for (ProcessTable.MarkedProcess process : ProcessTable.scan(installation)) {
                if (process.clusterId().equals(clusterId)) {
                    groups.add(process.processGroup());
                }
            }
            terminate(clusterId, groups);
        }
    }

    @Override
    public LogChunk readLogs(String clusterId, Map<String, Long> positions, int maxBytes) {
        return LogFiles.read(ClusterFolder.of(clustersDirectory, clusterId), positions, maxBytes);
    }

    @Override
    public void destroy(String clusterId) {
        LocalCluster cluster = clusters.remove(clusterId);
        Object lock = cluster == null ? new Object() : cluster;
        synchronized (lock) {
            Set<Long> groups = new HashSet<>();
            if (cluster != null) {
                cluster.scheduler.ifPresent(handle -> groups.add(handle.pid()));
                cluster.workers.values().forEach(handle -> groups.add(handle.pid()));
            }
            for (ProcessTable.MarkedProcess process : ProcessTable.scan(installation)) {
                if (process.clusterId().equals(clusterId)) {
                    groups.add(process.processGroup());
                }
            }
            terminate(clusterId, groups);
            deleteFolder(ClusterFolder.of(clustersDirectory, clusterId));
        }
    }

    /** TERM to every process group, then KILL to whatever is left after the grace period. */
    private void terminate(String clusterId, Set<Long> groups) {
        if (groups.isEmpty()) {
            return;
        }
        groups.forEach(group -> ProcessTable.signalGroup(group, "TERM"));
        // Waiting for processes is mechanics, not logic: real time, whatever clock the control plane runs on.
        long deadline = System.nanoTime() + stopGracePeriod.toNanos();
        while (!remaining(clusterId).isEmpty() && System.nanoTime() < deadline) {
            pause(Duration.ofMillis(100));
        }
        List<ProcessTable.MarkedProcess> left = remaining(clusterId);
        if (!left.isEmpty()) {
            log.info(
                    "cluster {}: {} processes did not stop within {}; killing them",
                    clusterId,
                    left.size(),
                    stopGracePeriod);
            // Also the groups of what is left: a process seen before it had its own group has one by now.
            left.forEach(process -> groups.add(process.processGroup()));
            groups.forEach(group -> ProcessTable.signalGroup(group, "KILL"));
            left.forEach(process -> ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly));
            long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!remaining(clusterId).isEmpty() && System.nanoTime() < killDeadline) {
                pause(Duration.ofMillis(50));
            }
        }
    }

    private List<ProcessTable.MarkedProcess> remaining(String clusterId) {
        return ProcessTable.scan(installation).stream()
                .filter(process -> process.clusterId().equals(clusterId))
                .toList();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Set<String> present() {
        Set<String> present = new HashSet<>(clusters.keySet());
        ProcessTable.scan(installation).forEach(process -> present.add(process.clusterId()));
        if (Files.isDirectory(clustersDirectory)) {
            try (DirectoryStream<Path> folders = Files.newDirectoryStream(clustersDirectory)) {
                folders.forEach(folder -> present.add(folder.getFileName().toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + clustersDirectory, e);
            }
        }
        present.remove("");
        return Set.copyOf(present);
    }

    private ProcessHandle spawn(
            ClusterSpec spec, LocalCluster cluster, String node, String role, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(cluster.folder.directory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        cluster.folder.log(node, "stdout").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        cluster.folder.log(node, "stderr").toFile()));
        builder.environment().clear();
        builder.environment()
                .putAll(DaskCommands.environment(
                        installation,
                        spec.clusterId(),
                        node,
                        cluster.folder,
                        role,
                        spec.processEnvironment().variables()));
        try {
            Process process = builder.start();
            log.debug("cluster {}: started {} as process {}", spec.clusterId(), node, process.pid());
            return process.toHandle();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + node + " of cluster " + spec.clusterId(), e);
        }
    }

    private static void writeNode(ClusterFolder folder, String node, NodeCertificate certificate) {
        try {
            folder.writeNode(node, certificate.certificatePem(), certificate.privateKeyPem());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the certificate of " + node, e);
        }
    }

    private static Optional<Integer> schedulerPortFromFile(ClusterFolder folder) {
        return schedulerFile(folder)
                .map(file -> file.path("address").asString())
                .flatMap(address -> {
                    int colon = address.lastIndexOf(':');
                    try {
                        return Optional.of(Integer.parseInt(address.substring(colon + 1)));
                    } catch (RuntimeException e) {
                        return Optional.empty();
                    }
                });
    }

    private static Optional<Integer> dashboardPort(ClusterFolder folder) {
        return schedulerFile(folder)
                .map(file -> file.path("services").path("dashboard"))
                .filter(JsonNode::isNumber)
                .map(JsonNode::asInt);
    }

    private static Optional<JsonNode> schedulerFile(ClusterFolder folder) {
        try {
            byte[] content = Files.readAllBytes(folder.schedulerFile());
            return content.length == 0
                    ? Optional.empty()
                    : Optional.of(Json.lenient().readTree(content));
        } catch (IOException | RuntimeException e) {
            // Not written yet, or being written.
            return Optional.empty();
        }
    }

    private static String lastWords(LocalCluster cluster) {
        try {
            List<String> lines = Files.readAllLines(cluster.folder.log(SCHEDULER, "stderr"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1);
        } catch (IOException e) {
            return "";
        }
    }

    private static int workerIndex(String name) {
        try {
            return Integer.parseInt(name.substring(WORKER_PREFIX.length()));
        } catch (RuntimeException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    private static void deleteFolder(ClusterFolder folder) {
        if (!folder.exists()) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder.directory())) {
            List<Path> paths =
                    new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder.directory(), e);
        }
    }
}
