package io.spendstream.sink.rows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A growable buffer that writes values in ClickHouse's RowBinary format (little-endian fixed-width
 * integers, LEB128 lengths, 1-byte null flags). Both transports send these bytes unchanged, so the
 * embedded engine and a ClickHouse server receive the same insert format.
 */
public final class RowBinaryWriter {
    private byte[] buf;
    private int size;
    private int rows;

    public RowBinaryWriter() {
        this(64 * 1024);
    }

    public RowBinaryWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    /** Marks the end of one row (only counted; RowBinary has no row separator). */
    public RowBinaryWriter endRow() {
        rows++;
        return this;
    }

    public int rows() {
        return rows;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return rows == 0;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    public void reset() {
        size = 0;
        rows = 0;
    }

    public RowBinaryWriter uint8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public RowBinaryWriter bool(boolean v) {
        return uint8(v ? 1 : 0);
    }

    public RowBinaryWriter int32(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
        return this;
    }

    public RowBinaryWriter int64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    /** UInt64 from a non-negative long (the same bytes as Int64). */
    public RowBinaryWriter uint64(long v) {
        return int64(v);
    }

    /** DateTime64(3): epoch milliseconds as Int64. */
    public RowBinaryWriter dateTime64Millis(long epochMillis) {
        return int64(epochMillis);
    }

    public RowBinaryWriter varUInt(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
        return this;
    }

    public RowBinaryWriter string(CharSequence s) {
        String str = s.toString();
        // Fast path for ASCII, the common case for ids and names.
        int n = str.length();
        boolean ascii = true;
        for (int i = 0; i < n; i++) {
            if (str.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            varUInt(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[size++] = (byte) str.charAt(i);
            }
            return this;
        }
        byte[] b = str.getBytes(StandardCharsets.UTF_8);
        return bytes(b, 0, b.length);
    }

    /** A String column from UTF-8 bytes: LEB128 length, then the bytes as they are. */
    public RowBinaryWriter bytes(byte[] utf8, int offset, int length) {
        varUInt(length);
        ensure(length);
        System.arraycopy(utf8, offset, buf, size, length);
        size += length;
        return this;
    }

    /** Appends everything written to {@code other} (rows are not counted). */
    public RowBinaryWriter append(RowBinaryWriter other) {
        ensure(other.size);
        System.arraycopy(other.buf, 0, buf, size, other.size);
        size += other.size;
        return this;
    }

    public RowBinaryWriter nullableString(CharSequence s) {
        if (s == null) {
            return uint8(1);
        }
        uint8(0);
        return string(s);
    }

    public RowBinaryWriter nullableInt64(Long v) {
        if (v == null) {
            return uint8(1);
        }
        uint8(0);
        return int64(v);
    }

    public RowBinaryWriter nullableInt32(Integer v) {
        if (v == null) {
            return uint8(1);
        }
        uint8(0);
        return int32(v);
    }

    /** Map(String, String): entry count, then key and value of each entry. */
    public RowBinaryWriter stringMap(Map<? extends CharSequence, ? extends CharSequence> map) {
        if (map == null) {
            return varUInt(0);
        }
        varUInt(map.size());
        for (var e : map.entrySet()) {
            string(e.getKey());
            string(e.getValue() == null ? "" : e.getValue());
        }
        return this;
    }
}
