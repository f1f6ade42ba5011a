package io.spendstream.processor;

import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.WindowSize;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary encoding of a rollup for the processor's own state store and its changelog. The
 * store is read and written three times per event (one window per size), so it avoids the Avro and
 * registry round trip of the public topics; the changelog is internal to the application.
 * Format version 1: a version byte, four UTF strings, the window size ordinal, then fixed longs.
 */
public final class RollupStoreSerde implements Serde<SpendRollup>, Serializer<SpendRollup>, Deserializer<SpendRollup> {
    private static final byte FORMAT = 1;
    private static final WindowSize[] SIZES = WindowSize.values();

    @Override
    public byte[] serialize(String topic, SpendRollup r) {
        if (r == null) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeUTF(r.getOrgId());
            out.writeUTF(r.getFeature());
            out.writeUTF(r.getProvider());
            out.writeUTF(r.getModel());
            out.writeByte(r.getWindowSize().ordinal());
            out.writeLong(r.getWindowStart().toEpochMilli());
            out.writeLong(r.getWindowEnd().toEpochMilli());
            out.writeLong(r.getEvents());
            out.writeLong(r.getErrors());
            out.writeLong(r.getInputTokens());
            out.writeLong(r.getOutputTokens());
            out.writeLong(r.getCachedInputTokens());
            out.writeLong(r.getCacheWriteTokens());
            out.writeLong(r.getReasoningTokens());
            out.writeLong(r.getCostUsdNanos());
            out.writeLong(r.getUnpricedEvents());
            out.writeLong(r.getLatencyMsSum());
            out.writeLong(r.getLatencyMsMax());
            out.writeLong(r.getVersion());
            out.writeLong(r.getUpdatedAt().toEpochMilli());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SpendRollup deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new SerializationException("unknown rollup store format " + format);
            }
            return SpendRollup.newBuilder()
                    .setOrgId(in.readUTF()).setFeature(in.readUTF()).setProvider(in.readUTF()).setModel(in.readUTF())
                    .setWindowSize(SIZES[in.readByte()])
                    .setWindowStart(Instant.ofEpochMilli(in.readLong())).setWindowEnd(Instant.ofEpochMilli(in.readLong()))
                    .setEvents(in.readLong()).setErrors(in.readLong()).setInputTokens(in.readLong())
                    .setOutputTokens(in.readLong()).setCachedInputTokens(in.readLong())
                    .setCacheWriteTokens(in.readLong()).setReasoningTokens(in.readLong())
                    .setCostUsdNanos(in.readLong()).setUnpricedEvents(in.readLong()).setLatencyMsSum(in.readLong())
                    .setLatencyMsMax(in.readLong()).setVersion(in.readLong())
                    .setUpdatedAt(Instant.ofEpochMilli(in.readLong()))
                    .build();
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
    public Serializer<SpendRollup> serializer() {
        return this;
    }

    @Override
    public Deserializer<SpendRollup> deserializer() {
        return this;
    }
}
