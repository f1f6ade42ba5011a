package io.spendstream.schemas.serde;

import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro in the Confluent wire format: magic byte 0, the writer schema's registry id as a 4-byte
 * big-endian int, then the Avro binary encoding. Subjects follow the topic-name strategy:
 * {@code <topic>-key} and {@code <topic>-value}.
 *
 * <p>Reads resolve the writer's schema (fetched from the registry by id, then cached) against this
 * serde's reader schema, so records written with an older or newer compatible version are read
 * into the current generated class. Null stays null (tombstones).
 *
 * <p>Hand-written because Confluent's KafkaAvroSerializer is not on Maven Central; the format is
 * byte-compatible with it (proven by the interoperability tests).
 *
 * @param <T> a generated SpecificRecord class, or GenericRecord for {@link #generic}
 */
public final class AvroSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    public static final byte MAGIC_BYTE = 0;

    private final SchemaRegistry registry;
    private final Schema schema;
    private final GenericData data;
    private final boolean isKey;
    private final boolean autoRegister;
    private final DatumWriter<T> writer;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    /** Schema id per topic: the registry client caches by (subject, schema), whose equality check is deep. */
    private final Map<String, Integer> idsByTopic = new ConcurrentHashMap<>();

    private AvroSerde(SchemaRegistry registry, Schema schema, GenericData data, boolean isKey, boolean autoRegister,
                      DatumWriter<T> writer) {
        this.registry = registry;
        this.schema = schema;
        this.data = data;
        this.isKey = isKey;
        this.autoRegister = autoRegister;
        this.writer = writer;
    }

    /** A serde for a generated class; registers its schema on first write. */
    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistry registry,
                                                                   boolean isKey) {
        return specific(type, registry, isKey, true);
    }

    public static <T extends SpecificRecord> AvroSerde<T> specific(Class<T> type, SchemaRegistry registry,
                                                                   boolean isKey, boolean autoRegister) {
        SpecificData data = SpecificData.getForClass(type);
        Schema schema = data.getSchema(type);
        return new AvroSerde<>(registry, schema, data, isKey, autoRegister, new SpecificDatumWriter<>(schema, data));
    }

    /** A serde of GenericRecords (or other generic data) written with {@code schema} and read as {@code schema}. */
    public static <T> AvroSerde<T> generic(Schema schema, SchemaRegistry registry, boolean isKey) {
        GenericData data = GenericData.get();
        return new AvroSerde<>(registry, schema, data, isKey, true, new GenericDatumWriter<>(schema, data));
    }

    public Schema schema() {
        return schema;
    }

    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        Integer id = idsByTopic.get(topic);
        if (id == null) {
            String subject = subject(topic, isKey);
            try {
                id = autoRegister ? registry.register(subject, schema) : registry.lookup(subject, schema);
            } catch (SchemaRegistryException e) {
                throw new SerializationException("cannot get a schema id for subject " + subject + ": "
                        + e.getMessage(), e);
            }
            idsByTopic.put(topic, id);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC_BYTE);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode a " + schema.getFullName() + " for topic " + topic + ": " + e, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length < 5 || bytes[0] != MAGIC_BYTE) {
            throw new SerializationException("not in the Confluent wire format (topic " + topic + ", "
                    + bytes.length + " bytes, first byte " + (bytes.length == 0 ? "none" : bytes[0])
                    + "): expected magic byte 0 and a 4-byte schema id");
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        DatumReader<T> reader;
        try {
            reader = readers.computeIfAbsent(id, this::readerFor);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("cannot resolve writer schema id " + id + " of a record on topic " + topic
                    + ": " + e.getMessage(), e);
        }
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null);
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decode a record with schema id " + id + " on topic " + topic
                    + " as " + schema.getFullName() + ": " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> readerFor(int id) {
        Schema writerSchema = registry.getById(id);
        if (data instanceof SpecificData specific) {
            return new SpecificDatumReader<>(writerSchema, schema, specific);
        }
        return (DatumReader<T>) new GenericDatumReader<>(writerSchema, schema, data);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Configured through the constructor; Kafka's config-based construction is not used.
    }

    @Override
    public void close() {
        // The registry client is shared and owned by the caller.
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }
}
