package io.spendstream.processor;

import io.spendstream.schema.WindowSize;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary encoding of a window's totals for the processor's own state store and its changelog. The
 * store is read and written three times per event (one window per size), so it avoids the Avro and
 * registry round trip of the public topics; the changelog is internal to the application.
 * Format version 1: a version byte, four UTF strings, the window size ordinal, then fixed longs.
 */
final class RollupStoreSerde implements Serde<WindowTotals>, Serializer<WindowTotals>, Deserializer<WindowTotals> {
    private static final byte FORMAT = 1;
    private static final WindowSize[] SIZES = WindowSize.values();

    @Override
    public byte[] serialize(String topic, WindowTotals r) {
        if (r == null) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeUTF(r.orgId);
            out.writeUTF(r.feature);
            out.writeUTF(r.provider);
            out.writeUTF(r.model);
            out.writeByte(r.size.ordinal());
            out.writeLong(r.start);
            out.writeLong(r.end);
            for (long v : new long[] {r.events, r.errors, r.inputTokens, r.outputTokens, r.cachedInputTokens,
                    r.cacheWriteTokens, r.reasoningTokens, r.costUsdNanos, r.unpricedEvents, r.latencyMsSum,
                    r.latencyMsMax, r.version, r.updatedAt}) {
                out.writeLong(v);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public WindowTotals deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("unknown rollup store format " + format);
            }
            WindowTotals t = new WindowTotals(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF(),
                    SIZES[in.readByte()], in.readLong(), in.readLong());
            t.events = in.readLong();
            t.errors = in.readLong();
            t.inputTokens = in.readLong();
            t.outputTokens = in.readLong();
            t.cachedInputTokens = in.readLong();
            t.cacheWriteTokens = in.readLong();
            t.reasoningTokens = in.readLong();
            t.costUsdNanos = in.readLong();
            t.unpricedEvents = in.readLong();
            t.latencyMsSum = in.readLong();
            t.latencyMsMax = in.readLong();
            t.version = in.readLong();
            t.updatedAt = in.readLong();
            return t;
        } catch (IOException e) {
            throw new SerializationException("cannot read a rollup from the store", e);
        }
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public Serializer<WindowTotals> serializer() {
        return this;
    }

    @Override
    public Deserializer<WindowTotals> deserializer() {
        return this;
    }
}
