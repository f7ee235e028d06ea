package io.capstan.server.keyring.kms;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * Builds the {@link KmsClient} behind {@link KmsAead}, with the settings that matter for a master key: the JDK's own
 * HTTP stack ({@link UrlConnectionHttpClient}; the Netty and Apache clients are excluded from the build), a bounded
 * time per call and per attempt, and few retries. A server that cannot reach its master key should say so within
 * the call timeout, not hang its start or a request.
 */
public final class KmsClients {
    /** Attempts per call, the first included: enough to ride out one throttle or one 500, few enough to fail fast. */
    public static final int MAXIMUM_ATTEMPTS = 3;

    private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private KmsClients() {}

    /**
     * A client that finds its credentials through the SDK's default chain (environment, system properties, profile
     * files, web identity, container and instance metadata). The client owns that chain and closes it with itself.
     */
    public static KmsClient create(String region, Optional<URI> endpointOverride, Duration apiCallTimeout) {
        return builder(region, endpointOverride, apiCallTimeout).build();
    }

    /** A client with the given credentials, which the caller keeps owning (the client does not close them). */
    public static KmsClient create(
            String region,
            Optional<URI> endpointOverride,
            Duration apiCallTimeout,
            AwsCredentialsProvider credentialsProvider) {
        requireNonNull(credentialsProvider, "credentialsProvider is null");
        return builder(region, endpointOverride, apiCallTimeout)
                .credentialsProvider(credentialsProvider)
                .build();
    }

    private static KmsClientBuilder builder(String region, Optional<URI> endpointOverride, Duration apiCallTimeout) {
        requireNonNull(region, "region is null");
        requireNonNull(endpointOverride, "endpointOverride is null");
        requireNonNull(apiCallTimeout, "apiCallTimeout is null");
        if (region.isBlank()) {
            throw new IllegalArgumentException("region is blank");
        }
        if (apiCallTimeout.isNegative() || apiCallTimeout.isZero()) {
            throw new IllegalArgumentException("apiCallTimeout must be positive: " + apiCallTimeout);
        }
        endpointOverride.ifPresent(KmsClients::checkEndpoint);
        // Each attempt gets an equal share of the call's time, so a hung first attempt still leaves room for a retry.
        Duration attemptTimeout = apiCallTimeout.dividedBy(MAXIMUM_ATTEMPTS);
        KmsClientBuilder builder = KmsClient.builder()
                .region(Region.of(region))
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(attemptTimeout)
                        .socketTimeout(attemptTimeout))
                .overrideConfiguration(configuration -> configuration
                        .apiCallTimeout(apiCallTimeout)
                        .apiCallAttemptTimeout(attemptTimeout)
                        // Named explicitly rather than left to AWS_RETRY_MODE or a profile, so the bound above holds.
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(MAXIMUM_ATTEMPTS)
                                .build()));
        endpointOverride.ifPresent(builder::endpointOverride);
        return builder;
    }

    /**
     * What KmsAead protects travels in clear inside Encrypt requests and Decrypt answers (TLS is all that covers it),
     * so an endpoint other than KMS's own must use HTTPS; plain HTTP is accepted only on loopback (a local proxy or a
     * test stub), where nothing crosses a network.
     */
    private static void checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (endpoint.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("KMS endpoint must be an http(s) URL with a host: " + endpoint);
        }
        if (scheme.equals("http") && !LOOPBACK_HOSTS.contains(endpoint.getHost().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                    "KMS endpoint " + endpoint + " must use https; plain http is allowed only on loopback");
        }
    }
}
