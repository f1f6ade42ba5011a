package io.spendstream.sink.rows;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.sink.TestData;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowEncodersTest {
    @Test
    void shouldWriteLittleEndianIntegersLeb128LengthsNullFlagsAndMaps() {
        RowBinaryWriter w = new RowBinaryWriter(1);
        w.int64(0x0102030405060708L).int32(-2).string("é").nullableString(null).nullableInt64(5L)
                .nullableInt32(null).nullableInt32(-3)
                .stringMap(new LinkedHashMap<>(Map.of("k", "v"))).varUInt(300).endRow();
        byte[] b = w.toByteArray();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(buf.getLong()).isEqualTo(0x0102030405060708L);
        assertThat(buf.getInt()).isEqualTo(-2);
        assertThat(buf.get()).isEqualTo((byte) 2); // UTF-8 length of é
        byte[] e = new byte[2];
        buf.get(e);
        assertThat(new String(e, StandardCharsets.UTF_8)).isEqualTo("é");
        assertThat(buf.get()).as("null flag").isEqualTo((byte) 1);
        assertThat(buf.get()).as("not null").isEqualTo((byte) 0);
        assertThat(buf.getLong()).isEqualTo(5L);
        assertThat(buf.get()).as("null flag").isEqualTo((byte) 1);
        assertThat(buf.get()).as("not null").isEqualTo((byte) 0);
        assertThat(buf.getInt()).isEqualTo(-3);
        assertThat(buf.get()).as("map size").isEqualTo((byte) 1);
        assertThat(new byte[] {buf.get(), buf.get(), buf.get(), buf.get()}).containsExactly(1, 'k', 1, 'v');
        assertThat(new byte[] {buf.get(), buf.get()}).containsExactly((byte) 0xAC, (byte) 0x02);
        assertThat(buf.hasRemaining()).isFalse();
        assertThat(w.rows()).isEqualTo(1);
    }

    @Test
    void shouldEncodeEachTablesRowWithTheColumnCountAndLayoutOfItsTable() {
        TestData data = new TestData(1, 1);
        RowBinaryWriter w = new RowBinaryWriter();
        var r = data.rollups.getFirst();
        RowEncoders.rollup(w, r);
        int strings = r.getOrgId().length() + r.getFeature().length() + r.getProvider().length() + r.getModel().length();
        // 4 strings (1-byte length each) + 15 fixed 8-byte columns
        assertThat(w.size()).isEqualTo(4 + strings + 15 * 8);
        ByteBuffer buf = ByteBuffer.wrap(w.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        buf.position(4 + strings);
        assertThat(buf.getLong()).isEqualTo(r.getWindowStart().toEpochMilli());

        w.reset();
        RowEncoders.alert(w, data.alerts.getFirst());
        assertThat(w.rows()).isEqualTo(1);
        w.reset();
        var p = data.events.getFirst();
        RowEncoders.pricedEvent(w, p);
        byte[] b = w.toByteArray();
        int orgLen = b[0];
        assertThat(new String(b, 1, orgLen, StandardCharsets.UTF_8)).isEqualTo(p.getEvent().getOrgId());
        assertThat(ByteBuffer.wrap(b, 1 + orgLen, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
                .isEqualTo(p.getEvent().getTimestamp().toEpochMilli());
    }

    @Test
    void shouldRenderMetadataValuesAsTextSortedByKey() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("z", 1.5d);
        meta.put("a", true);
        meta.put("m", 42L);
        assertThat(RowEncoders.metadataAsText(meta)).containsExactly(Map.entry("a", "true"), Map.entry("m", "42"),
                Map.entry("z", "1.5"));
    }
}
