package io.capstan.server.awscredentials;

import io.capstan.server.internal.Secret;
import java.time.Instant;

/**
 * What the credentials endpoint serves, apart from how it is served: the current AWS credentials of a cluster, for
 * the token its processes present. The control plane's own implementation ({@link AwsCredentialsStore}) reads the
 * database; an agent running clusters in a customer's infrastructure can serve the same protocol with {@link
 * ContainerCredentialsServer} and an implementation that asks the control plane. Implementations are thread-safe.
 */
public interface WorkerCredentials {
    /** The answer for {@code token} presented for {@code clusterId}. */
    Lookup lookup(String clusterId, Secret token);

    /** What a lookup found. */
    sealed interface Lookup permits Current, Refused, Expired {}

    /** The cluster's credentials, valid now. */
    record Current(SessionCredentials credentials) implements Lookup {}

    /** No credentials for this token and cluster: a wrong token, another cluster's, or a stopped cluster. */
    record Refused() implements Lookup {}

    /** The token is right, but the cluster's last credentials expired at {@code at} and none replaced them. */
    record Expired(Instant at) implements Lookup {}
}
