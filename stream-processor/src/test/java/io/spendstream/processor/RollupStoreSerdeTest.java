package io.spendstream.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RollupStoreSerdeTest {
    @Test
    void shouldRoundTripEveryField() {
        WindowTotals t = new WindowTotals("acme", "chat|β", "openai", "gpt-4o", WindowSize.HOUR, 3_600_000, 7_200_000);
        t.events = 1;
        t.errors = 2;
        t.inputTokens = 3;
        t.outputTokens = 4;
        t.cachedInputTokens = 5;
        t.cacheWriteTokens = 6;
        t.reasoningTokens = 7;
        t.costUsdNanos = Long.MAX_VALUE;
        t.unpricedEvents = 9;
        t.latencyMsSum = 10;
        t.latencyMsMax = 11;
        t.version = 12;
        t.updatedAt = 13;
        RollupStoreSerde serde = new RollupStoreSerde();
        SpendRollup expected = SpendRollup.newBuilder().setOrgId("acme").setFeature("chat|β").setProvider("openai")
                .setModel("gpt-4o").setWindowSize(WindowSize.HOUR).setWindowStart(Instant.ofEpochMilli(3_600_000))
                .setWindowEnd(Instant.ofEpochMilli(7_200_000)).setEvents(1).setErrors(2).setInputTokens(3)
                .setOutputTokens(4).setCachedInputTokens(5).setCacheWriteTokens(6).setReasoningTokens(7)
                .setCostUsdNanos(Long.MAX_VALUE).setUnpricedEvents(9).setLatencyMsSum(10).setLatencyMsMax(11)
                .setVersion(12).setUpdatedAt(Instant.ofEpochMilli(13)).build();
        assertThat(serde.deserialize("t", serde.serialize("t", t)).toRollup()).isEqualTo(expected);
    }

    @Test
    void shouldRefuseAnUnknownFormat() {
        assertThatThrownBy(() -> new RollupStoreSerde().deserialize("t", new byte[] {9}))
                .hasMessageContaining("format 9");
    }
}
