package io.spendstream.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class OrgPartitioningTest {
    @Test
    void shouldPutABudgetInThePartitionOfItsOrgsEvents() {
        for (String org : List.of("acme", "demo", "o-1", "globex_corp", "z")) {
            int byDefault = BuiltInPartitioner.partitionForKey(org.getBytes(StandardCharsets.UTF_8), 6);
            assertThat(OrgPartitioning.partitionOf(OrgPartitioning.orgOf(OrgPartitioning.budgetKey(org, "monthly")), 6))
                    .as(org).isEqualTo(byDefault);
        }
    }

    @Test
    void shouldReadTheOrgOfAKey() {
        assertThat(OrgPartitioning.orgOf("acme|b1")).isEqualTo("acme");
        assertThat(OrgPartitioning.orgOf("acme")).isEqualTo("acme");
    }
}
