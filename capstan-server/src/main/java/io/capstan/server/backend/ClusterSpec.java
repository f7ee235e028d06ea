package io.capstan.server.backend;

import static java.util.Objects.requireNonNull;

import io.capstan.server.pki.NodeCertificate;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a backend needs to run a cluster. {@code nodeCertificates} issues a certificate for a named node, and {@code
 * processEnvironment} says what to add to a process's environment (such as the AWS credentials endpoint and its
 * token); both are asked only when a process starts, so a spec is cheap to build and holds no secret.
 */
public record ClusterSpec(
        String clusterId,
        int workers,
        int threadsPerWorker,
        long memoryPerWorkerBytes,
        Path pythonExecutable,
        String certificateAuthorityPem,
        NodeCertificates nodeCertificates,
        ProcessEnvironment processEnvironment) {

    /** Issues a certificate for one node of the cluster, signed by the cluster's own authority. */
    @FunctionalInterface
    public interface NodeCertificates {
        NodeCertificate issue(String nodeName);
    }

    /** Variables to add to the environment of a process of the cluster, read when the process starts. */
    @FunctionalInterface
    public interface ProcessEnvironment {
        Map<String, String> variables();
    }

    public ClusterSpec {
        requireNonNull(clusterId, "clusterId is null");
        requireNonNull(pythonExecutable, "pythonExecutable is null");
        requireNonNull(certificateAuthorityPem, "certificateAuthorityPem is null");
        requireNonNull(nodeCertificates, "nodeCertificates is null");
        requireNonNull(processEnvironment, "processEnvironment is null");
    }
}
