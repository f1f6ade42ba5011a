package io.spendstream.sink.rows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Copies a flat Avro record straight from its binary encoding into one RowBinary row, without
 * building a Java object: strings are copied as UTF-8 bytes (both formats length-prefix them),
 * zig-zag varints become little-endian fixed-width integers, enums become their symbol. This is
 * the sink's hot path for spend rollups and budget alerts; the object path ({@link RowEncoders}
 * after Avro's schema resolution) stays the reference, and {@code AvroRowTranscoderTest} checks
 * that both write the same bytes.
 *
 * <p>A transcoder is compiled for one <em>writer</em> schema (the one the registry id in the
 * record names). {@link #compile} returns empty when that schema cannot be copied directly (a
 * column's field is missing, or has another type); the sink then takes the object path, whose
 * schema resolution fills defaults. Fields that are not columns are skipped by their writer type.
 * One instance is used by one thread (it reuses its slots).
 */
public final class AvroRowTranscoder {
    /** How a column is read from its Avro field, and written as RowBinary. */
    public enum Kind {
        /** string → String. */
        STRING,
        /** long → Int64 (or UInt64 of a non-negative value: the same bytes). */
        LONG,
        /** int → Int32. */
        INT,
        /** long with logicalType timestamp-millis → DateTime64(3). */
        TIMESTAMP_MILLIS,
        /** boolean → Bool. */
        BOOLEAN,
        /** enum → String: the writer's symbol. */
        ENUM_SYMBOL,
        /** union of null and string → Nullable(String). */
        NULLABLE_STRING
    }

    /** One column of the target table, in table order, and the record field it comes from. */
    public record Column(String field, Kind kind) {}

    // Per writer field, in writer order: what to do with it.
    private static final int SKIP = 0;
    private static final Kind[] KINDS = Kind.values();
    private static final Schema STRING = Schema.create(Schema.Type.STRING);
    private final int[] fieldOp;      // Kind ordinal + 1, or SKIP
    private final int[] fieldSlot;    // slot index for non-skipped fields
    private final Schema[] fieldSchema;
    private final int[] nullBranch;   // for NULLABLE_STRING: the union branch that is null
    private final byte[][][] symbols; // for ENUM_SYMBOL: the writer's symbols as UTF-8
    private final String[][] symbolNames;
    // Per column, in table order: the slot to write and how.
    private final Kind[] columnKind;
    private final int[] columnSlot;
    // Slots, reused for each record: a long value, or a string's offset and length (-1 = null).
    private final long[] longs;
    private final int[] lengths;
    private final byte[][] enumBytes;
    private final Map<String, Integer> positions = new HashMap<>();
    private byte[] src;
    private int pos;

    private AvroRowTranscoder(int fields, List<Column> columns) {
        fieldOp = new int[fields];
        fieldSlot = new int[fields];
        fieldSchema = new Schema[fields];
        nullBranch = new int[fields];
        symbols = new byte[fields][][];
        symbolNames = new String[fields][];
        columnKind = new Kind[columns.size()];
        columnSlot = new int[columns.size()];
        longs = new long[fields];
        lengths = new int[fields];
        enumBytes = new byte[fields][];
    }

    /**
     * A transcoder for records written with {@code writer} into rows of {@code columns}, or empty
     * when a column's field is missing from the writer schema or has a type the kind does not take.
     *
     * @param routeEnum an enum field that is read but not written (see {@link #symbol}), or null
     */
    public static Optional<AvroRowTranscoder> compile(Schema writer, List<Column> columns, String routeEnum) {
        if (writer.getType() != Schema.Type.RECORD) {
            return Optional.empty();
        }
        List<Schema.Field> fields = writer.getFields();
        AvroRowTranscoder t = new AvroRowTranscoder(fields.size(), columns);
        Map<String, Kind> wanted = new HashMap<>();
        for (Column c : columns) {
            if (wanted.putIfAbsent(c.field(), c.kind()) != null && wanted.get(c.field()) != c.kind()) {
                throw new IllegalArgumentException("field " + c.field() + " is read as two kinds");
            }
        }
        if (routeEnum != null) {
            if (writer.getField(routeEnum) == null) {
                return Optional.empty();
            }
            if (wanted.putIfAbsent(routeEnum, Kind.ENUM_SYMBOL) != null && wanted.get(routeEnum) != Kind.ENUM_SYMBOL) {
                throw new IllegalArgumentException("route field " + routeEnum + " is also a column of another kind");
            }
        }
        for (Schema.Field f : fields) {
            int i = f.pos();
            t.fieldSchema[i] = f.schema();
            Kind k = wanted.get(f.name());
            if (k == null) {
                t.fieldOp[i] = SKIP;
                continue;
            }
            if (!accepts(k, f.schema())) {
                return Optional.empty();
            }
            t.fieldOp[i] = k.ordinal() + 1;
            t.positions.put(f.name(), i);
            t.fieldSlot[i] = i;
            if (k == Kind.NULLABLE_STRING) {
                t.nullBranch[i] = f.schema().getTypes().get(0).getType() == Schema.Type.NULL ? 0 : 1;
            } else if (k == Kind.ENUM_SYMBOL) {
                List<String> s = f.schema().getEnumSymbols();
                t.symbols[i] = new byte[s.size()][];
                t.symbolNames[i] = s.toArray(String[]::new);
                for (int j = 0; j < s.size(); j++) {
                    t.symbols[i][j] = s.get(j).getBytes(StandardCharsets.UTF_8);
                }
            }
        }
        for (int c = 0; c < columns.size(); c++) {
            Schema.Field f = writer.getField(columns.get(c).field());
            if (f == null) {
                return Optional.empty();
            }
            t.columnKind[c] = columns.get(c).kind();
            t.columnSlot[c] = f.pos();
        }
        return Optional.of(t);
    }

    private static boolean accepts(Kind k, Schema s) {
        LogicalType lt = s.getLogicalType();
        return switch (k) {
            case STRING -> s.getType() == Schema.Type.STRING;
            case LONG -> s.getType() == Schema.Type.LONG && lt == null;
            case INT -> s.getType() == Schema.Type.INT && lt == null;
            case TIMESTAMP_MILLIS -> s.getType() == Schema.Type.LONG && lt instanceof LogicalTypes.TimestampMillis;
            case BOOLEAN -> s.getType() == Schema.Type.BOOLEAN;
            case ENUM_SYMBOL -> s.getType() == Schema.Type.ENUM;
            case NULLABLE_STRING -> s.getType() == Schema.Type.UNION && s.getTypes().size() == 2
                    && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.NULL)
                    && s.getTypes().stream().anyMatch(b -> b.getType() == Schema.Type.STRING);
        };
    }

    /**
     * Reads one record from {@code bytes} starting at {@code offset} into this transcoder's slots.
     * Nothing is written; a malformed record throws and leaves every output untouched.
     *
     * @throws IllegalArgumentException when the bytes are not a record of the writer schema
     */
    public AvroRowTranscoder read(byte[] bytes, int offset) {
        src = bytes;
        pos = offset;
        try {
            for (int i = 0; i < fieldOp.length; i++) {
                int op = fieldOp[i];
                if (op == SKIP) {
                    skip(fieldSchema[i]);
                    continue;
                }
                int slot = fieldSlot[i];
                switch (KINDS[op - 1]) {
                    case STRING -> readString(slot);
                    case LONG, INT, TIMESTAMP_MILLIS -> longs[slot] = readLong();
                    case BOOLEAN -> longs[slot] = readBoolean();
                    case ENUM_SYMBOL -> {
                        int index = (int) readLong();
                        byte[][] s = symbols[i];
                        if (index < 0 || index >= s.length) {
                            throw new IllegalArgumentException("enum index " + index + " out of range");
                        }
                        enumBytes[slot] = s[index];
                        longs[slot] = index;
                    }
                    case NULLABLE_STRING -> {
                        long branch = readLong();
                        if (branch == nullBranch[i]) {
                            lengths[slot] = -1;
                        } else if (branch == 1 - nullBranch[i]) {
                            readString(slot);
                        } else {
                            throw new IllegalArgumentException("union branch " + branch + " out of range");
                        }
                    }
                }
            }
            if (pos > bytes.length) {
                throw new IllegalArgumentException("record runs past the end of its bytes");
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("record runs past the end of its bytes", e);
        }
        return this;
    }

    /**
     * The writer's symbol of enum field {@code field} (the route field, or an enum column) in the
     * record last read, for choosing the table.
     */
    public String symbol(String field) {
        Integer i = positions.get(field);
        if (i == null || symbolNames[i] == null) {
            throw new IllegalArgumentException(field + " is not an enum column field");
        }
        return symbolNames[i][(int) longs[i]];
    }

    /** Appends the record last read as one row of the columns, in table order. */
    public void write(RowBinaryWriter w) {
        for (int c = 0; c < columnKind.length; c++) {
            int slot = columnSlot[c];
            switch (columnKind[c]) {
                case STRING -> w.bytes(src, (int) longs[slot], lengths[slot]);
                case LONG, TIMESTAMP_MILLIS -> w.int64(longs[slot]);
                case INT -> w.int32((int) longs[slot]);
                case BOOLEAN -> w.uint8((int) longs[slot]);
                case ENUM_SYMBOL -> w.bytes(enumBytes[slot], 0, enumBytes[slot].length);
                case NULLABLE_STRING -> {
                    if (lengths[slot] < 0) {
                        w.uint8(1);
                    } else {
                        w.uint8(0).bytes(src, (int) longs[slot], lengths[slot]);
                    }
                }
            }
        }
        w.endRow();
    }

    private void readString(int slot) {
        long len = readLong();
        if (len < 0 || len > src.length - pos) {
            throw new IllegalArgumentException("string length " + len + " out of range");
        }
        longs[slot] = pos;
        lengths[slot] = (int) len;
        pos += (int) len;
    }

    private int readBoolean() {
        int b = src[pos++];
        if (b != 0 && b != 1) {
            throw new IllegalArgumentException("boolean byte " + b);
        }
        return b;
    }

    /** A zig-zag varint (Avro int and long share the encoding). */
    private long readLong() {
        long raw = 0;
        int shift = 0;
        while (true) {
            int b = src[pos++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new IllegalArgumentException("varint longer than 10 bytes");
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    private void skip(Schema s) {
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> pos++;
            case INT, LONG, ENUM -> readLong();
            case FLOAT -> pos += 4;
            case DOUBLE -> pos += 8;
            case FIXED -> pos += s.getFixedSize();
            case STRING, BYTES -> {
                long len = readLong();
                if (len < 0 || len > src.length - pos) {
                    throw new IllegalArgumentException("length " + len + " out of range");
                }
                pos += (int) len;
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    skip(f.schema());
                }
            }
            case UNION -> {
                long branch = readLong();
                if (branch < 0 || branch >= s.getTypes().size()) {
                    throw new IllegalArgumentException("union branch " + branch + " out of range");
                }
                skip(s.getTypes().get((int) branch));
            }
            case ARRAY, MAP -> {
                while (true) {
                    long count = readLong();
                    if (count == 0) {
                        break;
                    }
                    if (count < 0) {
                        count = -count;
                        readLong(); // the block's size in bytes; the items are skipped one by one below
                    }
                    for (long j = 0; j < count; j++) {
                        if (s.getType() == Schema.Type.MAP) {
                            skip(STRING);
                            skip(s.getValueType());
                        } else {
                            skip(s.getElementType());
                        }
                    }
                }
            }
        }
    }
}
