package io.spendstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkConfigTest {
    @Test
    void shouldHaveDefaultsOfTheOneCommandRun() {
        SinkConfig c = SinkConfig.from(Settings.of(Map.of()));
        assertThat(c.transport()).isEqualTo(SinkConfig.Transport.CHDB);
        assertThat(c.chdbPath()).isEqualTo(Path.of("data", "clickhouse"));
        assertThat(c.batchRows()).isEqualTo(50_000);
        assertThat(c.batchInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.onFatal()).isEqualTo(SinkConfig.OnFatal.STOP);
        assertThat(c.eventsTtl()).isNull();
        assertThat(c.database()).isEqualTo("spendstream");
        assertThat(c.dlqTopic()).isEqualTo("sink-clickhouse-dlq");
    }

    @Test
    void shouldReadEveryDocumentedKey() {
        assertThat(SinkConfig.keys()).contains("SPENDSTREAM_KAFKA_BOOTSTRAP_SERVERS", "SPENDSTREAM_SCHEMA_REGISTRY_URL",
                "SPENDSTREAM_SINK_TRANSPORT", "SPENDSTREAM_CLICKHOUSE_URL", "SPENDSTREAM_CLICKHOUSE_USER",
                "SPENDSTREAM_CLICKHOUSE_PASSWORD", "SPENDSTREAM_CLICKHOUSE_DATABASE", "SPENDSTREAM_SINK_CHDB_PATH",
                "SPENDSTREAM_SINK_BATCH_ROWS", "SPENDSTREAM_SINK_BATCH_INTERVAL", "SPENDSTREAM_SINK_ON_FATAL",
                "SPENDSTREAM_SINK_EVENTS_TTL", "SPENDSTREAM_SINK_GROUP_ID", "SPENDSTREAM_SINK_HTTP_PORT");
    }

    @Test
    void shouldParseValuesAndNameTheKeyOfABadOne() {
        SinkConfig c = SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_SINK_TRANSPORT", "http",
                "SPENDSTREAM_SINK_ON_FATAL", "dead-letter", "SPENDSTREAM_SINK_EVENTS_TTL", "90d",
                "SPENDSTREAM_SINK_BATCH_INTERVAL", "250ms")));
        assertThat(c.transport()).isEqualTo(SinkConfig.Transport.HTTP);
        assertThat(c.onFatal()).isEqualTo(SinkConfig.OnFatal.DEAD_LETTER);
        assertThat(c.eventsTtl()).isEqualTo(Duration.ofDays(90));
        assertThat(c.batchInterval()).isEqualTo(Duration.ofMillis(250));

        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_SINK_ON_FATAL", "ignore"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_SINK_ON_FATAL")
                .hasMessageContaining("stop or dead-letter");
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_CLICKHOUSE_DATABASE", "a-b; DROP"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_CLICKHOUSE_DATABASE");
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_SINK_BATCH_ROWS", "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_SINK_BATCH_ROWS");
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_SINK_EVENTS_TTL", "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_SINK_EVENTS_TTL");
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of("SPENDSTREAM_SINK_TRANSPORT", "http",
                "SPENDSTREAM_CLICKHOUSE_URL", "localhost:8123"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SPENDSTREAM_CLICKHOUSE_URL");
    }
}
