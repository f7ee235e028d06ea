package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TestDurations {
    @Test
    void durationsReadAndPrintAsPeopleWriteThem() {
        assertThat(Durations.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("20m")).isEqualTo(Duration.ofMinutes(20));
        assertThat(Durations.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(Durations.parseOrNever("never")).isEmpty();
        assertThat(Durations.format(Duration.ofMinutes(20))).isEqualTo("20m");
        assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ofSeconds(61))).isEqualTo("61s");
    }

    @Test
    void anythingElseIsRefusedWithAnExample() {
        for (String bad : new String[] {"", "20", "m", "-5m", "1.5h", "20 m", "20M", "1w", "9999999999s"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).hasMessageContaining("like 90s, 20m");
        }
    }
}
