package io.capstan.api.cluster;

import io.capstan.api.aws.AwsSessionCredentials;
import java.util.Map;
import java.util.Optional;

/**
 * Creates a cluster. Every member is optional; the server fills in its defaults (2 workers, 2 threads and 4 GiB
 * each, 20 minutes idle timeout, 24 hours maximum lifetime). {@code account} is needed only by users of several
 * accounts. {@code configuration} applies a named configuration (own account's, or {@code account/name} of a public
 * one), and the explicit members override it; {@code environment} names the software environment the same way.
 * {@code awsCredentials} forwards temporary AWS credentials to the cluster's processes; {@code awsRole} asks the
 * control plane to assume the account's AWS role for them instead. Without either the cluster gets no AWS
 * credentials at all.
 */
public record CreateClusterRequest(
        Optional<String> name,
        Optional<String> account,
        Optional<Integer> workers,
        Optional<Integer> threadsPerWorker,
        Optional<Long> memoryPerWorkerBytes,
        Optional<Long> idleTimeoutSeconds,
        Optional<Long> maxLifetimeSeconds,
        Optional<Map<String, String>> labels,
        Optional<String> configuration,
        Optional<String> environment,
        Optional<AwsSessionCredentials> awsCredentials,
        Optional<Boolean> awsRole) {

    public static CreateClusterRequest defaults() {
        return new CreateClusterRequest(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}
