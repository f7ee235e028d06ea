package io.capstan.server.awscredentials;

import static java.util.Objects.requireNonNull;

import io.capstan.server.ServerConfig.InvalidConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How the control plane gets and serves AWS credentials for clusters: where STS is (the SDK's default endpoint
 * unless overridden, for a VPC endpoint or a test stub), how long assumed-role sessions last, how often it looks for
 * credentials to refresh, how long an STS call may take, and the loopback port of the credentials endpoint (0: any
 * free port). Defaults are pinned by {@code TestServerConfig}.
 */
public record AwsSettings(
        Optional<URI> stsEndpoint,
        String stsRegion,
        Duration roleSessionDuration,
        Duration refreshInterval,
        Duration refreshRetry,
        Duration stsCallTimeout,
        int credentialsEndpointPort) {
    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    public AwsSettings {
        requireNonNull(stsEndpoint, "stsEndpoint is null");
        requireNonNull(stsRegion, "stsRegion is null");
        requireNonNull(roleSessionDuration, "roleSessionDuration is null");
        requireNonNull(refreshInterval, "refreshInterval is null");
        requireNonNull(refreshRetry, "refreshRetry is null");
        requireNonNull(stsCallTimeout, "stsCallTimeout is null");
    }

    public static AwsSettings defaults() {
        return new AwsSettings(
                Optional.empty(),
                "us-east-1",
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                Duration.ofMinutes(1),
                Duration.ofSeconds(10),
                0);
    }

    public void validate() {
        // STS's own bounds for AssumeRole: 15 minutes to 12 hours (the role's maximum may be lower).
        if (roleSessionDuration.compareTo(Duration.ofMinutes(15)) < 0
                || roleSessionDuration.compareTo(Duration.ofHours(12)) > 0) {
            throw new InvalidConfigException("--aws-role-session-duration must be between 15m and 12h");
        }
        if (refreshInterval.toMillis() < 10 || refreshRetry.toMillis() < 10 || stsCallTimeout.toMillis() < 100) {
            throw new InvalidConfigException("AWS refresh intervals and the STS call timeout must be positive");
        }
        if (credentialsEndpointPort < 0 || credentialsEndpointPort > 65535) {
            throw new InvalidConfigException("--aws-credentials-port must be between 0 and 65535");
        }
        stsEndpoint.ifPresent(AwsSettings::checkEndpoint);
    }

    /**
     * STS answers carry credentials in clear, so an endpoint other than STS's own must use HTTPS; plain HTTP is
     * accepted only on loopback (a local proxy or a test stub), where nothing crosses a network.
     */
    private static void checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (endpoint.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new InvalidConfigException("--aws-sts-endpoint must be an http(s) URL with a host: " + endpoint);
        }
        if (scheme.equals("http") && !LOOPBACK_HOSTS.contains(endpoint.getHost().toLowerCase(Locale.ROOT))) {
            throw new InvalidConfigException(
                    "--aws-sts-endpoint " + endpoint + " must use https; plain http is allowed only on loopback");
        }
    }

    public AwsSettings withStsEndpoint(URI endpoint) {
        return new AwsSettings(
                Optional.of(endpoint),
                stsRegion,
                roleSessionDuration,
                refreshInterval,
                refreshRetry,
                stsCallTimeout,
                credentialsEndpointPort);
    }

    public AwsSettings withRoleSessionDuration(Duration duration) {
        return new AwsSettings(
                stsEndpoint,
                stsRegion,
                duration,
                refreshInterval,
                refreshRetry,
                stsCallTimeout,
                credentialsEndpointPort);
    }

    public AwsSettings withRefresh(Duration interval, Duration retry) {
        return new AwsSettings(
                stsEndpoint, stsRegion, roleSessionDuration, interval, retry, stsCallTimeout, credentialsEndpointPort);
    }

    public AwsSettings withStsCallTimeout(Duration timeout) {
        return new AwsSettings(
                stsEndpoint,
                stsRegion,
                roleSessionDuration,
                refreshInterval,
                refreshRetry,
                timeout,
                credentialsEndpointPort);
    }

    public AwsSettings withCredentialsEndpointPort(int port) {
        return new AwsSettings(
                stsEndpoint, stsRegion, roleSessionDuration, refreshInterval, refreshRetry, stsCallTimeout, port);
    }
}
