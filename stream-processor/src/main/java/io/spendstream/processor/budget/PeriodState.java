package io.spendstream.processor.budget;

import io.spendstream.schema.AlertKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the stream processor knows about one budget in one period: the spend in scope so far, the
 * latest event time counted, and which alert slots were handled (fired, or suppressed because a
 * budget change found several already crossed). The handled set is what makes each alert fire at most
 * once per (budget, period, threshold, kind): it is written to the same changelogged store, in the
 * same exactly-once transaction, as the alert itself.
 *
 * @param spendNanos    spend in the budget's scope within the period, nano-USD
 * @param asOfMillis    largest event time counted in the period (-1: none yet)
 * @param periodEndMillis end of the period, so closed periods can be purged
 * @param handled       slot → true when its alert was sent, false when suppressed
 */
public record PeriodState(long spendNanos, long asOfMillis, long periodEndMillis, Map<AlertSlot, Boolean> handled) {
    public PeriodState {
        handled = Map.copyOf(handled);
    }

    public boolean isHandled(AlertSlot slot) {
        return handled.containsKey(slot);
    }

    public PeriodState plus(long costNanos, long eventMillis) {
        return new PeriodState(Math.addExact(spendNanos, costNanos), Math.max(asOfMillis, eventMillis),
                periodEndMillis, handled);
    }

    public PeriodState withSpend(long spend) {
        return new PeriodState(spend, asOfMillis, periodEndMillis, handled);
    }

    public PeriodState withHandled(Map<AlertSlot, Boolean> more) {
        if (more.isEmpty()) {
            return this;
        }
        Map<AlertSlot, Boolean> m = new TreeMap<>(handled);
        m.putAll(more);
        return new PeriodState(spendNanos, asOfMillis, periodEndMillis, m);
    }

    /** Binary store format, version 1: spend, asOf, end, count, then (kind, threshold, fired) per slot. */
    public static final class StoreSerde implements Serde<PeriodState> {
        private static final byte VERSION = 1;

        @Override
        public Serializer<PeriodState> serializer() {
            return (topic, s) -> {
                if (s == null) {
                    return null;
                }
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + 6 * s.handled().size());
                try (DataOutputStream out = new DataOutputStream(bytes)) {
                    out.writeByte(VERSION);
                    out.writeLong(s.spendNanos());
                    out.writeLong(s.asOfMillis());
                    out.writeLong(s.periodEndMillis());
                    out.writeShort(s.handled().size());
                    for (Map.Entry<AlertSlot, Boolean> e : new TreeMap<>(s.handled()).entrySet()) {
                        out.writeByte(e.getKey().kind().ordinal());
                        out.writeInt(e.getKey().thresholdPercent());
                        out.writeBoolean(e.getValue());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return bytes.toByteArray();
            };
        }

        @Override
        public Deserializer<PeriodState> deserializer() {
            return (topic, data) -> {
                if (data == null) {
                    return null;
                }
                try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
                    byte version = in.readByte();
                    if (version != VERSION) {
                        throw new IllegalStateException("unknown budget period state version " + version);
                    }
                    long spend = in.readLong();
                    long asOf = in.readLong();
                    long end = in.readLong();
                    int n = in.readShort();
                    Map<AlertSlot, Boolean> handled = new TreeMap<>();
                    for (int i = 0; i < n; i++) {
                        AlertKind kind = AlertKind.values()[in.readByte()];
                        handled.put(new AlertSlot(kind, in.readInt()), in.readBoolean());
                    }
                    return new PeriodState(spend, asOf, end, handled);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }
    }
}
