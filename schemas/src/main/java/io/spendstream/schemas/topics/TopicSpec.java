package io.spendstream.schemas.topics;

import io.spendstream.schemas.registry.SchemaRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the pipeline: its name, the types and encodings of its keys and values, and how it
 * is created. Code that reads or writes a topic takes its serdes from here, so a topic and its
 * types cannot drift apart.
 *
 * @param name            topic name
 * @param key             key encoding
 * @param value           value encoding
 * @param cleanup         cleanup.policy
 * @param retention       retention.ms for DELETE and COMPACT_DELETE topics; ignored for COMPACT
 * @param singlePartition true for small tables every instance reads whole (global tables)
 * @param doc             what the topic carries and who writes and reads it
 */
public record TopicSpec<K, V>(String name, SerdeSpec<K> key, SerdeSpec<V> value, Cleanup cleanup, Duration retention,
                              boolean singlePartition, String doc) {
    public TopicSpec {
        Objects.requireNonNull(name);
        Objects.requireNonNull(key);
        Objects.requireNonNull(value);
        Objects.requireNonNull(cleanup);
    }

    /** The same topic under another name (deployments that prefix or rename topics). */
    public TopicSpec<K, V> withName(String newName) {
        return new TopicSpec<>(newName, key, value, cleanup, retention, singlePartition, doc);
    }

    public Serde<K> keySerde(SchemaRegistry registry) {
        return key.create(registry, true);
    }

    public Serde<V> valueSerde(SchemaRegistry registry) {
        return value.create(registry, false);
    }

    /** Topic-level configs this topic is created with. */
    public Map<String, String> configs(short replicationFactor) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanup.policy());
        if (cleanup != Cleanup.COMPACT && retention != null) {
            configs.put("retention.ms", Long.toString(retention.toMillis()));
        }
        if (replicationFactor >= 3) {
            configs.put("min.insync.replicas", "2");
        }
        return configs;
    }

    public int partitions(int dataPartitions) {
        return singlePartition ? 1 : dataPartitions;
    }
}
