package io.spendstream.sink.rows;

import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.serde.AvroSerde;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The {@link AvroRowTranscoder} of each writer schema id seen on one topic, for records in the
 * Confluent wire format (magic byte 0, 4-byte schema id, Avro binary). Empty for an id whose
 * schema cannot be copied directly, or that the registry cannot resolve: the caller then takes the
 * object path, which reports the problem. Used by one thread.
 */
public final class WireTranscoders {
    /** Where the Avro payload starts in a wire-format record. */
    public static final int PAYLOAD_OFFSET = 5;

    private final SchemaRegistry registry;
    private final Schema reader;
    private final List<AvroRowTranscoder.Column> columns;
    private final String routeEnum;
    private final Map<Integer, Optional<AvroRowTranscoder>> byId = new HashMap<>();

    /**
     * @param reader the schema the object path reads these records with (see
     *     {@link AvroRowTranscoder#compile})
     */
    public WireTranscoders(SchemaRegistry registry, Schema reader, List<AvroRowTranscoder.Column> columns,
                           String routeEnum) {
        this.registry = registry;
        this.reader = reader;
        this.columns = columns;
        this.routeEnum = routeEnum;
    }

    /** The transcoder for this record's writer schema, or null when the object path must read it. */
    public AvroRowTranscoder forRecord(byte[] value) {
        if (value == null || value.length < PAYLOAD_OFFSET || value[0] != AvroSerde.MAGIC_BYTE) {
            return null;
        }
        int id = ((value[1] & 0xFF) << 24) | ((value[2] & 0xFF) << 16) | ((value[3] & 0xFF) << 8) | (value[4] & 0xFF);
        Optional<AvroRowTranscoder> t = byId.get(id);
        if (t == null) {
            Schema writer;
            try {
                writer = registry.getById(id);
            } catch (RuntimeException e) {
                return null; // not cached: the object path reports it, and a later record tries again
            }
            t = AvroRowTranscoder.compile(writer, reader, columns, routeEnum);
            byId.put(id, t);
        }
        return t.orElse(null);
    }
}
