package io.spendstream.schemas.registry;

import org.apache.avro.Schema;

/**
 * What a serde needs of a schema registry. {@link SchemaRegistryClient} talks to a real one over the
 * Confluent REST API; {@link InMemorySchemaRegistry} serves unit tests (TopologyTestDriver).
 */
public interface SchemaRegistry {
    /** Registers (or finds) {@code schema} under {@code subject}; returns its id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema} already registered under {@code subject}. */
    int lookup(String subject, Schema schema);

    /** The schema with this id. */
    Schema getById(int id);
}
