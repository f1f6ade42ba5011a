package io.spendstream.processor.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceCommandTest {
    @Test
    void shouldBuildAnExactPriceKeyedByProviderModelAndEffectiveFrom() {
        var p = PriceCommand.parse(List.of("--provider", "OpenAI", "--model", "GPT-4o", "--effective-from",
                "2026-12-01T00:00:00Z", "--input", "2.50", "--output", "10", "--cached-input", "1.25"));
        assertThat(p.key()).isEqualTo("openai|gpt-4o|" + Instant.parse("2026-12-01T00:00:00Z").toEpochMilli());
        assertThat(p.price().getInputPerMtokNanos()).isEqualTo(2_500_000_000L);
        assertThat(p.price().getCachedInputPerMtokNanos()).isEqualTo(1_250_000_000L);
        assertThat(p.price().getCacheWritePerMtokNanos()).isNull();
    }

    @Test
    void shouldTakeAPriceForEveryTokenClassAndRefuseTiersWithAPointerToImport() {
        var p = PriceCommand.parse(List.of("--provider", "anthropic", "--model", "claude-x", "--effective-from",
                "2026-12-01T00:00:00Z", "--input", "3", "--output", "15", "--cache-write-1h", "6",
                "--input-audio", "40", "--cached-input-audio", "2.5", "--input-image", "3.5", "--output-audio", "80",
                "--output-image", "30", "--reasoning", "20"));
        assertThat(p.price().getCacheWrite1hPerMtokNanos()).isEqualTo(6_000_000_000L);
        assertThat(p.price().getInputAudioPerMtokNanos()).isEqualTo(40_000_000_000L);
        assertThat(p.price().getCachedInputAudioPerMtokNanos()).isEqualTo(2_500_000_000L);
        assertThat(p.price().getInputImagePerMtokNanos()).isEqualTo(3_500_000_000L);
        assertThat(p.price().getOutputAudioPerMtokNanos()).isEqualTo(80_000_000_000L);
        assertThat(p.price().getOutputImagePerMtokNanos()).isEqualTo(30_000_000_000L);
        assertThat(p.price().getReasoningPerMtokNanos()).isEqualTo(20_000_000_000L);
        assertThatThrownBy(() -> PriceCommand.parse(List.of("--provider", "p", "--model", "m", "--effective-from",
                "2026-12-01T00:00:00Z", "--input", "1", "--output", "1", "--tier", "200000:2:3")))
                .hasMessageContaining("unknown option --tier").hasMessageContaining("bin/price import");
    }

    @Test
    void shouldDeleteWithATombstone() {
        var p = PriceCommand.parse(List.of("--delete", "--provider", "openai", "--model", "gpt-4o",
                "--effective-from", "2026-12-01T00:00:00Z"));
        assertThat(p.price()).isNull();
        assertThat(p.key()).startsWith("openai|gpt-4o|");
    }

    @Test
    void shouldRefuseInexactOrMissingValuesByName() {
        assertThatThrownBy(() -> PriceCommand.parse(List.of("--provider", "p", "--model", "m", "--effective-from",
                "2026-12-01T00:00:00Z", "--input", "0.0000000001", "--output", "1")))
                .hasMessageContaining("--input");
        assertThatThrownBy(() -> PriceCommand.parse(List.of("--provider", "p", "--model", "m", "--effective-from",
                "tomorrow", "--input", "1", "--output", "1"))).hasMessageContaining("--effective-from");
        assertThatThrownBy(() -> PriceCommand.parse(List.of("--provider", "p", "--model", "m", "--effective-from",
                "2026-12-01T00:00:00Z", "--input", "1"))).hasMessageContaining("--output is required");
    }
}
