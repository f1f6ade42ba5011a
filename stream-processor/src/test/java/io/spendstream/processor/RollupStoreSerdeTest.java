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
        SpendRollup r = SpendRollup.newBuilder().setOrgId("acme").setFeature("chat|β").setProvider("openai")
                .setModel("gpt-4o").setWindowSize(WindowSize.HOUR).setWindowStart(Instant.ofEpochMilli(3_600_000))
                .setWindowEnd(Instant.ofEpochMilli(7_200_000)).setEvents(1).setErrors(2).setInputTokens(3)
                .setOutputTokens(4).setCachedInputTokens(5).setCacheWriteTokens(6).setReasoningTokens(7)
                .setCostUsdNanos(Long.MAX_VALUE).setUnpricedEvents(9).setLatencyMsSum(10).setLatencyMsMax(11)
                .setVersion(12).setUpdatedAt(Instant.ofEpochMilli(13)).build();
        RollupStoreSerde serde = new RollupStoreSerde();
        assertThat(serde.deserialize("t", serde.serialize("t", r))).isEqualTo(r);
    }

    @Test
    void shouldRefuseAnUnknownFormat() {
        assertThatThrownBy(() -> new RollupStoreSerde().deserialize("t", new byte[] {9}))
                .hasMessageContaining("format 9");
    }
}
