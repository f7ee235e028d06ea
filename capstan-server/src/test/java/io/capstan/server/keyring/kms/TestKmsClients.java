package io.capstan.server.keyring.kms;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kms.KmsClient;

class TestKmsClients {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://kms.us-east-1.amazonaws.com",
                "https://kms-proxy.internal:8443",
                "http://127.0.0.1:4566",
                "http://localhost:4566",
                "http://[::1]:4566"
            })
    void acceptsHttpsAndLoopbackHttpEndpoints(String endpoint) {
        assertThatCode(() -> {
                    try (KmsClient client =
                            KmsClients.create("us-east-1", Optional.of(URI.create(endpoint)), CALL_TIMEOUT)) {
                        client.serviceName();
                    }
                })
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://kms.example.com", "http://10.0.0.5:4566", "ftp://127.0.0.1", "kms.example.com"})
    void refusesPlaintextEndpointsOffLoopback(String endpoint) {
        assertThatThrownBy(() -> KmsClients.create("us-east-1", Optional.of(URI.create(endpoint)), CALL_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(endpoint);
    }

    @Test
    void refusesAnUnboundedOrEmptyCall() {
        assertThatThrownBy(() -> KmsClients.create("us-east-1", Optional.empty(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("apiCallTimeout must be positive");
        assertThatThrownBy(() -> KmsClients.create("us-east-1", Optional.empty(), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KmsClients.create(" ", Optional.empty(), CALL_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("region is blank");
    }
}
