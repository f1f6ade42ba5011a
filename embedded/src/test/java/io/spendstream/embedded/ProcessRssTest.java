package io.spendstream.embedded;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessRssTest {

    @Test
    void rssOfThisJvmIsPlausible() {
        long rss = ProcessRss.rssBytes(ProcessHandle.current().pid());
        assertThat(rss).isBetween(10L * 1024 * 1024, 64L * 1024 * 1024 * 1024);
        assertThat(rss % 1024).isZero();
    }

    @Test
    void unknownPidFailsWithTheStatusPath() {
        assertThatThrownBy(() -> ProcessRss.rssBytes(Long.MAX_VALUE))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("/proc/" + Long.MAX_VALUE + "/status");
    }
}
