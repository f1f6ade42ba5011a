package io.spendstream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeysTest {
    @Test
    void shouldKeepDistinctTuplesDistinctWhenPartsContainTheSeparator() {
        assertThat(Keys.join("a|b", "c")).isNotEqualTo(Keys.join("a", "b|c"));
        assertThat(Keys.split(Keys.join("a|b", "100%", "", "x"))).containsExactly("a|b", "100%", "", "x");
    }

    @Test
    void shouldPadMillisSoStringOrderIsTimeOrder() {
        assertThat(Keys.paddedMillis(999).compareTo(Keys.paddedMillis(1000))).isNegative();
        assertThat(Keys.paddedMillis(1_700_000_000_000L)).isEqualTo("001700000000000");
        assertThat(Keys.paddedMillis(0)).isEqualTo("000000000000000");
    }
}
