package io.capstan.server.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestPrometheusLimits {
    @Test
    void defaultsArePinned() {
        assertThat(PrometheusLimits.defaults())
                .isEqualTo(new PrometheusLimits(8 * 1024 * 1024, 64 * 1024, 50_000, 64, 8 * 1024, 256));
    }

    @Test
    void everyLimitMustBePositive() {
        assertThatThrownBy(() -> new PrometheusLimits(0, 1, 1, 1, 1, 1)).hasMessageContaining("maxBytes");
        assertThatThrownBy(() -> new PrometheusLimits(1, 0, 1, 1, 1, 1)).hasMessageContaining("maxLineLength");
        assertThatThrownBy(() -> new PrometheusLimits(1, 1, -1, 1, 1, 1)).hasMessageContaining("maxSamples");
        assertThatThrownBy(() -> new PrometheusLimits(1, 1, 1, 0, 1, 1)).hasMessageContaining("maxLabelsPerSample");
        assertThatThrownBy(() -> new PrometheusLimits(1, 1, 1, 1, 0, 1)).hasMessageContaining("maxLabelValueLength");
        assertThatThrownBy(() -> new PrometheusLimits(1, 1, 1, 1, 1, 0)).hasMessageContaining("maxNameLength");
    }

    @Test
    void maxBytesLeavesRoomForTheByteThatDetectsAnOversizedPayload() {
        assertThatThrownBy(() -> new PrometheusLimits(Integer.MAX_VALUE, 1, 1, 1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes");
    }
}
