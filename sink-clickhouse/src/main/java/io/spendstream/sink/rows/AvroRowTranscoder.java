package io.spendstream.sink.rows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Copies an Avro record straight from its binary encoding into one RowBinary row, without
 * building a Java object: strings are copied as UTF-8 bytes (both formats length-prefix them),
 * zig-zag varints become little-endian fixed-width integers, enums become their symbol, fields of
 * nested records are columns under a dotted name ({@code event.org_id}). This is the sink's hot
 * path; the object path ({@link RowEncoders} after Avro's schema resolution) stays the reference,
 * and {@code AvroRowTranscoderTest} checks that both write the same bytes.
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
        NULLABLE_STRING,
        /** union of null and long → Nullable(Int64). */
        NULLABLE_LONG,
        /** union of null and int → Nullable(Int32). */
        NULLABLE_INT,
        /** union of null and timestamp-millis long → Nullable(DateTime64(3)). */
        NULLABLE_TIMESTAMP_MILLIS,
        /** map of string → Map(String, String), entries sorted by key (as {@link RowEncoders}). */
        STRING_MAP,
        /**
         * map of a union of string, long, int, double, float and boolean → Map(String, String): each
         * value as Java's {@code toString} renders it, entries sorted by key.
         */
        MAP_AS_TEXT
    }

    /** One column of the target table, in table order, and the record field it comes from. */
    public record Column(String field, Kind kind) {}

    private static final Kind[] KINDS = Kind.values();
    private static final Schema STRING = Schema.create(Schema.Type.STRING);

    /** One step of the read, in writer order: a leaf field read into a slot, or a subtree skipped. */
    private record Step(Kind kind, Schema schema, int nullBranch, byte[][] symbols, String[] symbolNames) {}

    private final Step[] steps;
    // Per column, in table order: the slot (= step index) to write and how.
    private final Kind[] columnKind;
    private final int[] columnSlot;
    private final Map<String, Integer> slotsByField;
    // Slots, reused for each record: a long value or a string's offset, a string's length (-1 = null),
    // an enum's symbol bytes, a map already rendered as RowBinary.
    private final long[] longs;
    private final int[] lengths;
    private final byte[][] enumBytes;
    private final RowBinaryWriter[] maps;
    private byte[] src;
    private int pos;

    private AvroRowTranscoder(List<Step> steps, Kind[] columnKind, int[] columnSlot, Map<String, Integer> slots) {
        this.steps = steps.toArray(Step[]::new);
        this.columnKind = columnKind;
        this.columnSlot = columnSlot;
        this.slotsByField = slots;
        int n = this.steps.length;
        longs = new long[n];
        lengths = new int[n];
        enumBytes = new byte[n][];
        maps = new RowBinaryWriter[n];
        for (int i = 0; i < n; i++) {
            Kind k = this.steps[i].kind();
            if (k == Kind.STRING_MAP || k == Kind.MAP_AS_TEXT) {
                maps[i] = new RowBinaryWriter(256);
            }
        }
    }

    /**
     * A transcoder for records written with {@code writer} into rows of {@code columns}, or empty
     * when a column's field is missing from the writer schema or has a type the kind does not take.
     *
     * @param reader the schema the object path reads with (the generated class's), or null: when an
     *     enum of the writer has a symbol the reader's enum lacks, the object path must resolve it
     *     (to the reader's default, or an error), so no transcoder is compiled
     * @param routeEnum an enum field that is read but not written (see {@link #symbol}), or null
     */
    public static Optional<AvroRowTranscoder> compile(Schema writer, Schema reader, List<Column> columns,
                                                      String routeEnum) {
        if (writer.getType() != Schema.Type.RECORD) {
            return Optional.empty();
        }
        Map<String, Kind> wanted = new HashMap<>();
        for (Column c : columns) {
            if (wanted.putIfAbsent(c.field(), c.kind()) != null && wanted.get(c.field()) != c.kind()) {
                throw new IllegalArgumentException("field " + c.field() + " is read as two kinds");
            }
        }
        if (routeEnum != null && wanted.putIfAbsent(routeEnum, Kind.ENUM_SYMBOL) != null
                && wanted.get(routeEnum) != Kind.ENUM_SYMBOL) {
            throw new IllegalArgumentException("route field " + routeEnum + " is also a column of another kind");
        }
        List<Step> steps = new ArrayList<>();
        Map<String, Integer> slots = new HashMap<>();
        if (!plan(writer, reader, "", wanted, steps, slots)) {
            return Optional.empty();
        }
        if (!slots.keySet().containsAll(wanted.keySet())) {
            return Optional.empty(); // a column (or the route) the writer does not have
        }
        Kind[] kinds = new Kind[columns.size()];
        int[] columnSlot = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            kinds[c] = columns.get(c).kind();
            columnSlot[c] = slots.get(columns.get(c).field());
        }
        return Optional.of(new AvroRowTranscoder(steps, kinds, columnSlot, slots));
    }

    /** Appends the steps of {@code record}'s fields; false when a wanted field has a type its kind does not take. */
    private static boolean plan(Schema record, Schema reader, String prefix, Map<String, Kind> wanted,
                                List<Step> steps, Map<String, Integer> slots) {
        for (Schema.Field f : record.getFields()) {
            String name = prefix + f.name();
            Schema s = f.schema();
            Kind k = wanted.get(name);
            Schema.Field readerField = reader == null ? null : reader.getField(f.name());
            if (k != null) {
                if (!accepts(k, s) || (k == Kind.ENUM_SYMBOL && reader != null && !symbolsKnown(s, readerField))) {
                    return false;
                }
                slots.put(name, steps.size());
                steps.add(leaf(k, s));
            } else if (s.getType() == Schema.Type.RECORD && wantsUnder(wanted, name + ".")) {
                if (reader != null && (readerField == null || readerField.schema().getType() != Schema.Type.RECORD)) {
                    return false;
                }
                if (!plan(s, readerField == null ? null : readerField.schema(), name + ".", wanted, steps, slots)) {
                    return false;
                }
            } else {
                steps.add(new Step(null, s, 0, null, null)); // not a column: skipped by its writer type
            }
        }
        return true;
    }

    /** Every symbol of the writer's enum is one of the reader's, so both paths write the same name. */
    private static boolean symbolsKnown(Schema writerEnum, Schema.Field readerField) {
        return readerField != null && readerField.schema().getType() == Schema.Type.ENUM
                && readerField.schema().getEnumSymbols().containsAll(writerEnum.getEnumSymbols());
    }

    private static boolean wantsUnder(Map<String, Kind> wanted, String prefix) {
        return wanted.keySet().stream().anyMatch(n -> n.startsWith(prefix));
    }

    private static Step leaf(Kind k, Schema s) {
        int nullBranch = 0;
        byte[][] symbols = null;
        String[] names = null;
        if (s.getType() == Schema.Type.UNION) {
            nullBranch = s.getTypes().get(0).getType() == Schema.Type.NULL ? 0 : 1;
        }
        if (k == Kind.ENUM_SYMBOL) {
            names = s.getEnumSymbols().toArray(String[]::new);
            symbols = new byte[names.length][];
            for (int j = 0; j < names.length; j++) {
                symbols[j] = names[j].getBytes(StandardCharsets.UTF_8);
            }
        }
        return new Step(k, s, nullBranch, symbols, names);
    }

    private static boolean accepts(Kind k, Schema s) {
        return switch (k) {
            case STRING -> is(s, Schema.Type.STRING);
            case LONG -> is(s, Schema.Type.LONG) && s.getLogicalType() == null;
            case INT -> is(s, Schema.Type.INT) && s.getLogicalType() == null;
            case TIMESTAMP_MILLIS -> isTimestampMillis(s);
            case BOOLEAN -> is(s, Schema.Type.BOOLEAN);
            case ENUM_SYMBOL -> is(s, Schema.Type.ENUM);
            case NULLABLE_STRING -> nullableOf(s) != null && is(nullableOf(s), Schema.Type.STRING);
            case NULLABLE_LONG -> nullableOf(s) != null && is(nullableOf(s), Schema.Type.LONG)
                    && nullableOf(s).getLogicalType() == null;
            case NULLABLE_INT -> nullableOf(s) != null && is(nullableOf(s), Schema.Type.INT)
                    && nullableOf(s).getLogicalType() == null;
            case NULLABLE_TIMESTAMP_MILLIS -> nullableOf(s) != null && isTimestampMillis(nullableOf(s));
            case STRING_MAP -> is(s, Schema.Type.MAP) && is(s.getValueType(), Schema.Type.STRING);
            case MAP_AS_TEXT -> is(s, Schema.Type.MAP) && (s.getValueType().getType() == Schema.Type.UNION
                    ? s.getValueType().getTypes().stream().allMatch(AvroRowTranscoder::isTextScalar)
                    : isTextScalar(s.getValueType()));
        };
    }

    private static boolean is(Schema s, Schema.Type t) {
        return s.getType() == t;
    }

    private static boolean isTimestampMillis(Schema s) {
        LogicalType lt = s.getLogicalType();
        return is(s, Schema.Type.LONG) && lt instanceof LogicalTypes.TimestampMillis;
    }

    private static boolean isTextScalar(Schema s) {
        return switch (s.getType()) {
            case STRING, LONG, INT, DOUBLE, FLOAT, BOOLEAN -> s.getLogicalType() == null;
            default -> false;
        };
    }

    /** The non-null branch of a two-branch union with null, or null. */
    private static Schema nullableOf(Schema s) {
        if (!is(s, Schema.Type.UNION) || s.getTypes().size() != 2) {
            return null;
        }
        Schema a = s.getTypes().get(0);
        Schema b = s.getTypes().get(1);
        return is(a, Schema.Type.NULL) ? b : is(b, Schema.Type.NULL) ? a : null;
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
            for (int i = 0; i < steps.length; i++) {
                Step step = steps[i];
                if (step.kind() == null) {
                    skip(step.schema());
                    continue;
                }
                switch (step.kind()) {
                    case STRING -> readString(i);
                    case LONG, INT, TIMESTAMP_MILLIS -> longs[i] = readLong();
                    case BOOLEAN -> longs[i] = readBoolean();
                    case ENUM_SYMBOL -> {
                        long index = readLong();
                        if (index < 0 || index >= step.symbols().length) {
                            throw new IllegalArgumentException("enum index " + index + " out of range");
                        }
                        enumBytes[i] = step.symbols()[(int) index];
                        longs[i] = index;
                    }
                    case NULLABLE_STRING, NULLABLE_LONG, NULLABLE_INT, NULLABLE_TIMESTAMP_MILLIS -> {
                        long branch = readLong();
                        if (branch == step.nullBranch()) {
                            lengths[i] = -1;
                        } else if (branch == 1 - step.nullBranch()) {
                            lengths[i] = 0;
                            if (step.kind() == Kind.NULLABLE_STRING) {
                                readString(i);
                            } else {
                                longs[i] = readLong();
                            }
                        } else {
                            throw new IllegalArgumentException("union branch " + branch + " out of range");
                        }
                    }
                    case STRING_MAP, MAP_AS_TEXT -> readMap(i, step);
                }
            }
            if (pos > bytes.length) {
                throw new IllegalArgumentException("record runs past the end of its bytes");
            }
        } catch (ArrayIndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("record runs past the end of its bytes", e);
        }
        return this;
    }

    /**
     * The writer's symbol of enum field {@code field} (the route field, or an enum column) in the
     * record last read, for choosing the table.
     */
    public String symbol(String field) {
        Integer i = slotsByField.get(field);
        if (i == null || steps[i].symbolNames() == null) {
            throw new IllegalArgumentException(field + " is not an enum column field");
        }
        return steps[i].symbolNames()[(int) longs[i]];
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
                case NULLABLE_LONG, NULLABLE_TIMESTAMP_MILLIS -> {
                    if (lengths[slot] < 0) {
                        w.uint8(1);
                    } else {
                        w.uint8(0).int64(longs[slot]);
                    }
                }
                case NULLABLE_INT -> {
                    if (lengths[slot] < 0) {
                        w.uint8(1);
                    } else {
                        w.uint8(0).int32((int) longs[slot]);
                    }
                }
                case STRING_MAP, MAP_AS_TEXT -> w.append(maps[slot]);
            }
        }
        w.endRow();
    }

    private void readString(int slot) {
        int len = readLength();
        longs[slot] = pos;
        lengths[slot] = len;
        pos += len;
    }

    /** The length of a string or bytes value, checked against what is left of the record. */
    private int readLength() {
        long len = readLong();
        if (len < 0 || len > src.length - pos) {
            throw new IllegalArgumentException("string length " + len + " out of range");
        }
        return (int) len;
    }

    /** A map rendered into its slot's buffer as RowBinary Map(String, String), entries sorted by key. */
    private void readMap(int slot, Step step) {
        // As the object path: one value per key (the last), entries in key order.
        TreeMap<String, String> byKey = null; // made only for a non-empty map
        Schema values = step.schema().getValueType();
        for (long count = readBlockCount(true); count != 0; count = readBlockCount(true)) {
            for (long j = 0; j < count; j++) {
                String key = readUtf8();
                String value = step.kind() == Kind.STRING_MAP ? readUtf8() : readScalarAsText(values);
                if (byKey == null) {
                    byKey = new TreeMap<>();
                }
                byKey.put(key, value);
            }
        }
        RowBinaryWriter m = maps[slot];
        m.reset();
        m.varUInt(byKey == null ? 0 : byKey.size());
        if (byKey != null) {
            byKey.forEach((k, v) -> m.string(k).string(v));
        }
    }

    private String readUtf8() {
        int len = readLength();
        String s = new String(src, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** A scalar (or a union of scalars) as Java's toString renders the decoded value. */
    private String readScalarAsText(Schema s) {
        if (s.getType() == Schema.Type.UNION) {
            s = readBranch(s);
        }
        return switch (s.getType()) {
            case STRING -> readUtf8();
            case LONG, INT -> Long.toString(readLong());
            case BOOLEAN -> Boolean.toString(readBoolean() == 1);
            case DOUBLE -> {
                long bits = 0;
                for (int b = 0; b < 8; b++) {
                    bits |= (src[pos++] & 0xFFL) << (8 * b);
                }
                yield Double.toString(Double.longBitsToDouble(bits));
            }
            case FLOAT -> {
                int bits = 0;
                for (int b = 0; b < 4; b++) {
                    bits |= (src[pos++] & 0xFF) << (8 * b);
                }
                yield Float.toString(Float.intBitsToFloat(bits));
            }
            default -> throw new IllegalStateException("not a scalar: " + s);
        };
    }

    /** The branch of {@code union} that the next value is written in. */
    private Schema readBranch(Schema union) {
        long branch = readLong();
        if (branch < 0 || branch >= union.getTypes().size()) {
            throw new IllegalArgumentException("union branch " + branch + " out of range");
        }
        return union.getTypes().get((int) branch);
    }

    /**
     * The item count of the next block of an array or map (0 ends it); a negative count is followed by
     * the block's size in bytes, which is read and not needed, since the items are read one by one.
     */
    private long readBlockCount(boolean itemsTakeBytes) {
        long count = readLong();
        if (count < 0) {
            count = -count;
            readLong();
        }
        if (itemsTakeBytes && count > src.length - pos) {
            throw new IllegalArgumentException("block of " + count + " items out of range");
        }
        return count;
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
                int len = readLength(); // moves pos past the length first
                pos += len;
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    skip(f.schema());
                }
            }
            case UNION -> skip(readBranch(s));
            case ARRAY, MAP -> {
                boolean itemsTakeBytes = !isEmptyEncoding(s);
                for (long count = readBlockCount(itemsTakeBytes); count != 0; count = readBlockCount(itemsTakeBytes)) {
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

    /** Items that take no bytes (an array of null): a count beyond the remaining bytes is legal. */
    private static boolean isEmptyEncoding(Schema s) {
        return s.getType() == Schema.Type.ARRAY && s.getElementType().getType() == Schema.Type.NULL;
    }
}
