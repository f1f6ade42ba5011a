package io.spendstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.CallStatus;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.registry.InMemorySchemaRegistry;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<UsageEvent> serde = AvroSerde.specific(UsageEvent.class, registry, false);

    static UsageEvent event() {
        return UsageEvent.newBuilder()
                .setEventId("e-1").setOrgId("acme").setTimestamp(Instant.parse("2026-11-22T10:15:30.123Z"))
                .setReceivedAt(Instant.parse("2026-11-22T10:15:31Z")).setFeature("chat").setProvider("openai")
                .setModel("gpt-4o").setInputTokens(1200).setOutputTokens(340).setClientCostUsdNanos(1_234_567_891L)
                .setStatus(CallStatus.OK).setTags(Map.of("env", "prod"))
                .setMetadata(Map.of("retries", 2L, "cached", true, "region", "eu", "temperature", 0.2))
                .build();
    }

    @Test
    void shouldWriteConfluentWireFormatAndReadItBack() {
        byte[] bytes = serde.serialize("usage-events", event());
        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(registry.getById(id)).isEqualTo(UsageEvent.getClassSchema());
        assertThat(registry.lookup("usage-events-value", UsageEvent.getClassSchema())).isEqualTo(id);
        assertThat(serde.deserialize("usage-events", bytes)).isEqualTo(event());
    }

    @Test
    void shouldRegisterKeysUnderTheKeySubject() {
        AvroSerde<UsageEvent> keySerde = AvroSerde.specific(UsageEvent.class, registry, true);
        keySerde.serialize("t", event());
        assertThat(registry.lookup("t-key", UsageEvent.getClassSchema())).isPositive();
    }

    @Test
    void shouldPassTombstonesThrough() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }

    @Test
    void shouldRejectBytesWithoutTheMagicByte() {
        assertThatThrownBy(() -> serde.deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte 0");
        assertThatThrownBy(() -> serde.deserialize("t", "{\"json\":1}".getBytes()))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldNameTheUnknownSchemaId() {
        assertThatThrownBy(() -> serde.deserialize("t", new byte[] {0, 0, 0, 0x30, 0x39, 2}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("12345");
    }
}
