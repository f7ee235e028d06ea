package io.capstan.server.backend;

import static java.util.Objects.requireNonNull;

import io.capstan.server.pki.NodeCertificate;
import java.nio.file.Path;
import java.util.Map;

/** What a backend needs to run a cluster. {@code nodeCertificates} issues a certificate for a named node. */
public record ClusterSpec(
        String clusterId,
        int workers,
        int threadsPerWorker,
        long memoryPerWorkerBytes,
        Path pythonExecutable,
        String certificateAuthorityPem,
        NodeCertificates nodeCertificates,
        Map<String, String> extraEnvironment) {

    /** Issues a certificate for one node of the cluster, signed by the cluster's own authority. */
    @FunctionalInterface
    public interface NodeCertificates {
        NodeCertificate issue(String nodeName);
    }

    public ClusterSpec {
        requireNonNull(clusterId, "clusterId is null");
        requireNonNull(pythonExecutable, "pythonExecutable is null");
        requireNonNull(certificateAuthorityPem, "certificateAuthorityPem is null");
        requireNonNull(nodeCertificates, "nodeCertificates is null");
        extraEnvironment = Map.copyOf(extraEnvironment);
    }
}
