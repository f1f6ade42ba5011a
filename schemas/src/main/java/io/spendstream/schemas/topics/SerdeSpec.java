package io.spendstream.schemas.topics;

import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * How the keys or values of a topic are encoded: the catalog's half of "this topic carries these
 * types". Turned into a Kafka {@link Serde} once a registry client is at hand.
 */
public sealed interface SerdeSpec<T> {
    Serde<T> create(SchemaRegistry registry, boolean isKey);

    /** Java type of the data, for docs and checks. */
    Class<T> type();

    /** Plain UTF-8 strings (keys such as org_id). */
    static SerdeSpec<String> string() {
        return new Utf8();
    }

    /** Raw bytes (dead letters keep the original bytes). */
    static SerdeSpec<byte[]> bytes() {
        return new RawBytes();
    }

    /** Avro of a generated class in the Confluent wire format through the schema registry. */
    static <T extends SpecificRecord> SerdeSpec<T> avro(Class<T> type) {
        return new Avro<>(type);
    }

    record Utf8() implements SerdeSpec<String> {
        @Override
        public Serde<String> create(SchemaRegistry registry, boolean isKey) {
            return Serdes.String();
        }

        @Override
        public Class<String> type() {
            return String.class;
        }
    }

    record RawBytes() implements SerdeSpec<byte[]> {
        @Override
        public Serde<byte[]> create(SchemaRegistry registry, boolean isKey) {
            return Serdes.ByteArray();
        }

        @Override
        public Class<byte[]> type() {
            return byte[].class;
        }
    }

    record Avro<T extends SpecificRecord>(Class<T> type) implements SerdeSpec<T> {
        @Override
        public Serde<T> create(SchemaRegistry registry, boolean isKey) {
            return AvroSerde.specific(type, registry, isKey);
        }
    }
}
