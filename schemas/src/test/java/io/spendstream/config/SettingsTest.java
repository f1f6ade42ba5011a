package io.spendstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void shouldUseDefaultsWhenKeysAreUnsetAndRecordEveryKeyRead() {
        Settings s = Settings.of(Map.of());
        assertThat(s.integer("SPENDSTREAM_A", 5, 1, 10)).isEqualTo(5);
        assertThat(s.duration("SPENDSTREAM_B", Duration.ofDays(7), Duration.ZERO, Duration.ofDays(30)))
                .isEqualTo(Duration.ofDays(7));
        assertThat(s.keysRead()).containsExactly("SPENDSTREAM_A", "SPENDSTREAM_B");
    }

    @Test
    void shouldParseShortAndIsoDurations() {
        Settings s = Settings.of(Map.of("A", "250ms", "B", "10m", "C", "PT2H", "D", "7d"));
        Duration max = Duration.ofDays(30);
        assertThat(s.duration("A", null, Duration.ZERO, max)).isEqualTo(Duration.ofMillis(250));
        assertThat(s.duration("B", null, Duration.ZERO, max)).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.duration("C", null, Duration.ZERO, max)).isEqualTo(Duration.ofHours(2));
        assertThat(s.duration("D", null, Duration.ZERO, max)).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void shouldFailNamingTheKeyOnInvalidValues() {
        Settings s = Settings.of(Map.of("SPENDSTREAM_PORT", "eighty", "SPENDSTREAM_GRACE", "-5m",
                "SPENDSTREAM_FLAG", "maybe", "SPENDSTREAM_N", "99"));
        assertThatThrownBy(() -> s.integer("SPENDSTREAM_PORT", 8080, 1, 65535))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_PORT=eighty");
        assertThatThrownBy(() -> s.duration("SPENDSTREAM_GRACE", Duration.ZERO, Duration.ZERO, Duration.ofDays(1)))
                .hasMessageContaining("SPENDSTREAM_GRACE=-5m");
        assertThatThrownBy(() -> s.bool("SPENDSTREAM_FLAG", true)).hasMessageContaining("SPENDSTREAM_FLAG=maybe");
        assertThatThrownBy(() -> s.integer("SPENDSTREAM_N", 1, 1, 10)).hasMessageContaining("from 1 to 10");
        assertThatThrownBy(() -> s.required("SPENDSTREAM_MISSING", "a URL"))
                .hasMessageContaining("SPENDSTREAM_MISSING (not set): a URL");
    }

    @Test
    void shouldReadASecretDirectlyOrFromItsFileWithoutTheTrailingNewline(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("token"), "from-file-token\n");
        assertThat(Settings.of(Map.of("K", "direct")).secret("K").reveal()).isEqualTo("direct");
        assertThat(Settings.of(Map.of("K_FILE", file.toString())).secret("K").reveal()).isEqualTo("from-file-token");
        assertThat(Settings.of(Map.of()).secret("K")).isNull();
        assertThat(Settings.of(Map.of("K", "direct")).secret("K").toString()).isEqualTo("<redacted>");
        assertThatThrownBy(() -> Settings.of(Map.of("K", "direct", "K_FILE", file.toString())).secret("K"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("either K or K_FILE")
                .hasMessageNotContaining("direct");
        assertThatThrownBy(() -> Settings.of(Map.of("K_FILE", dir.resolve("missing").toString())).secret("K"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("K_FILE");
    }
}
