package io.spendstream.schemas.topics;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Every topic the stream processor reads is partitioned by org, so one org's events, budgets and
 * state live in one task. Topics keyed by org_id get that from Kafka's default partitioner. The
 * compacted budgets topic needs a longer key for compaction ({@code org_id|budget_id}), so its
 * producers put each record in {@link #partitionOf} its org (ingest-api sets the partition explicitly;
 * other producers can set {@link #PARTITIONER} as {@code partitioner.class}), which hashes only the org_id
 * part, exactly as the default partitioner hashes a key equal to the org_id.
 */
public final class OrgPartitioning implements Partitioner {
    /** The producer setting value: {@code props.put(PARTITIONER_CLASS_CONFIG, OrgPartitioning.PARTITIONER)}. */
    public static final Class<OrgPartitioning> PARTITIONER = OrgPartitioning.class;

    /** Key of a budget on the budgets topic. Org and budget ids never contain '|' (validated at the API). */
    public static String budgetKey(String orgId, String budgetId) {
        if (orgId.indexOf('|') >= 0 || budgetId.indexOf('|') >= 0) {
            throw new IllegalArgumentException("org and budget ids must not contain '|'");
        }
        return orgId + "|" + budgetId;
    }

    /** The org_id of a key that starts with it ({@code org} or {@code org|...}). */
    public static String orgOf(String key) {
        int bar = key.indexOf('|');
        return bar < 0 ? key : key.substring(0, bar);
    }

    /** The partition the default partitioner gives a record keyed by {@code orgId}. */
    public static int partitionOf(String orgId, int partitions) {
        return Utils.toPositive(Utils.murmur2(orgId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        if (!(key instanceof String k)) {
            throw new IllegalArgumentException("records on " + topic + " need a String key starting with the org_id");
        }
        return partitionOf(orgOf(k), cluster.partitionCountForTopic(topic));
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }
}
