package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestMetricsTest {
    @Test
    void aMadeUpMethodIsLabelledOther() {
        IngestMetrics metrics = IngestMetrics.create();
        metrics.request("/v1/events", IngestMetrics.methodLabel("BREW"), 405, 1_000);
        metrics.request("/v1/events", IngestMetrics.methodLabel("POST"), 202, 1_000);
        assertThat(metrics.scrape()).contains("method=\"other\"").contains("method=\"POST\"").doesNotContain("BREW");
    }
}
