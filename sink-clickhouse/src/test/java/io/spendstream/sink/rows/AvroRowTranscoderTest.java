package io.spendstream.sink.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schema.AlertKind;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schema.CallStatus;
import io.spendstream.schema.CostSource;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schema.WindowSize;
import io.spendstream.schemas.registry.InMemorySchemaRegistry;
import io.spendstream.schemas.serde.AvroSerde;
import io.spendstream.sink.TestData;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroRowTranscoderTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final AvroSerde<SpendRollup> rollups = AvroSerde.specific(SpendRollup.class, registry, false);
    private final AvroSerde<BudgetAlert> alerts = AvroSerde.specific(BudgetAlert.class, registry, false);

    @Test
    void shouldWriteTheSameBytesAsTheObjectPathForEveryRollup() {
        WireTranscoders fast = new WireTranscoders(registry, SpendRollup.getClassSchema(), RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE);
        List<SpendRollup> all = new ArrayList<>(new TestData(3, 4).rollups);
        Random rnd = new Random(11);
        for (int i = 0; i < 200; i++) { // extremes of every varint width, non-ASCII names
            all.add(SpendRollup.newBuilder(all.get(i % 20)).setOrgId("org-" + "é€😀".repeat(i % 4))
                    .setFeature("f".repeat(i % 200)).setEvents(i % 2 == 0 ? Long.MAX_VALUE : Long.MIN_VALUE)
                    .setCostUsdNanos(rnd.nextLong()).setLatencyMsMax(-rnd.nextInt(1000)).setVersion(1L << (i % 63))
                    .setWindowStart(Instant.ofEpochMilli(rnd.nextLong(-1L << 40, 1L << 42))).build());
        }
        for (SpendRollup r : all) {
            byte[] wire = rollups.serialize("rollups", r);
            AvroRowTranscoder t = assertSameBytes(fast, wire,
                    w -> RowEncoders.rollup(w, rollups.deserialize("rollups", wire)));
            assertThat(t.symbol(RowEncoders.ROLLUP_ROUTE)).isEqualTo(r.getWindowSize().name());
        }
    }

    @Test
    void shouldWriteTheSameBytesAsTheObjectPathForAlertsWithAndWithoutNullableFields() {
        WireTranscoders fast = new WireTranscoders(registry, BudgetAlert.getClassSchema(), RowEncoders.ALERT_COLUMNS, null);
        List<BudgetAlert> all = new ArrayList<>();
        for (BudgetAlert a : new TestData(5, 2).alerts) {
            all.add(a);
            all.add(BudgetAlert.newBuilder(a).setScopeValue(null).setTriggerEventId(null).build());
            all.add(BudgetAlert.newBuilder(a).setScope(BudgetScope.MODEL).setScopeValue("模型-ü")
                    .setKind(AlertKind.FORECAST).setThresholdPercent(-7).setTriggerEventId("").build());
        }
        assertThat(all).hasSizeGreaterThan(3);
        for (BudgetAlert a : all) {
            byte[] wire = alerts.serialize("alerts", a);
            assertSameBytes(fast, wire, w -> RowEncoders.alert(w, alerts.deserialize("alerts", wire)));
        }
    }

    @Test
    void shouldWriteTheSameBytesAsTheObjectPathForPricedEventsWithMapsAndNullableFields() {
        AvroSerde<PricedUsageEvent> events = AvroSerde.specific(PricedUsageEvent.class, registry, false);
        WireTranscoders fast = new WireTranscoders(registry, PricedUsageEvent.getClassSchema(),
                RowEncoders.PRICED_EVENT_COLUMNS, null);
        List<PricedUsageEvent> all = new ArrayList<>();
        Random rnd = new Random(17);
        for (PricedUsageEvent p : new TestData(7, 2).events.subList(0, 40)) {
            all.add(p);
            Map<String, String> tags = new java.util.LinkedHashMap<>();
            for (String k : new String[] {"zeta", "alpha", "é-key", "Beta", "", "m"}) {
                tags.put(k, k + "-" + rnd.nextInt(100));
            }
            Map<String, Object> meta = new java.util.LinkedHashMap<>();
            meta.put("z", 1.0E10);
            meta.put("a", -0.0d);
            meta.put("tiny", 1.0E-5);
            meta.put("n", Long.MIN_VALUE);
            meta.put("b", false);
            meta.put("s", "text ü");
            meta.put("nan", Double.NaN);
            meta.put("pi", Math.PI);
            UsageEvent e = UsageEvent.newBuilder(p.getEvent()).setTags(tags).setMetadata(meta)
                    .setClientCostUsdNanos(rnd.nextLong()).setLatencyMs(null).setErrorCode("E1").setUserId(null)
                    .setSessionId("s-😀").setApiKeyId(null).setStatus(CallStatus.ERROR)
                    .setCacheWrite1hTokens(rnd.nextLong()).setInputAudioTokens(Long.MAX_VALUE)
                    .setCachedInputAudioTokens(1L << 35).setInputImageTokens(rnd.nextInt(1 << 20))
                    .setOutputAudioTokens(Long.MIN_VALUE).setOutputImageTokens(127).setUsageFormat("anthropic").build();
            all.add(PricedUsageEvent.newBuilder(p).setEvent(e).setPriceProvider(null).setPriceModel("m")
                    .setPriceEffectiveFrom(Instant.ofEpochMilli(rnd.nextLong(1L << 41))).setPriced(false)
                    .setCostSource(CostSource.UNPRICED).setPriceTierInputTokensAbove(200_000L + rnd.nextInt(1000))
                    .setPriceWindowStartSecondUtc(rnd.nextInt(86_400)).build());
            all.add(PricedUsageEvent.newBuilder(p).setEvent(UsageEvent.newBuilder(e).setTags(Map.of())
                    .setMetadata(Map.of()).setLatencyMs(-1L).setClientCostUsdNanos(null).setUsageFormat(null).build())
                    .setPriceEffectiveFrom(null).setPriceTierInputTokensAbove(null)
                    .setPriceWindowStartSecondUtc(Integer.MIN_VALUE).build());
            all.add(PricedUsageEvent.newBuilder(p).setPriceTierInputTokensAbove(0L)
                    .setPriceWindowStartSecondUtc(null).build());
        }
        for (PricedUsageEvent p : all) {
            byte[] wire = events.serialize("priced", p);
            assertSameBytes(fast, wire, w -> RowEncoders.pricedEvent(w, events.deserialize("priced", wire)));
        }
    }

    @Test
    void shouldLeavePricedEventsWrittenBeforeTheNewTokenClassesToTheObjectPath() {
        // Records already on the topic name the older writer schema: the object path fills the
        // Avro defaults (0 tokens, null format, tier and window) into the new columns.
        List<String> added = List.of("cache_write_1h_tokens", "input_audio_tokens", "cached_input_audio_tokens",
                "input_image_tokens", "output_audio_tokens", "output_image_tokens", "usage_format",
                "price_tier_input_tokens_above", "price_window_start_second_utc");
        Schema current = PricedUsageEvent.getClassSchema();
        Schema oldEvent = record(UsageEvent.getClassSchema(), UsageEvent.getClassSchema().getFields().stream()
                .filter(f -> !added.contains(f.name())).map(f -> new Schema.Field(f, f.schema())).toList());
        Schema old = record(current, current.getFields().stream().filter(f -> !added.contains(f.name()))
                .map(f -> new Schema.Field(f, f.name().equals("event") ? oldEvent : f.schema())).toList());
        assertThat(old.getField("event").schema().getFields()).hasSize(UsageEvent.getClassSchema().getFields().size() - 7);
        assertThat(AvroRowTranscoder.compile(old, current, RowEncoders.PRICED_EVENT_COLUMNS, null)).isEmpty();
        assertThat(AvroRowTranscoder.compile(current, current, RowEncoders.PRICED_EVENT_COLUMNS, null)).isPresent();
    }

    @Test
    void shouldReadAnEvolvedWriterSchemaInItsOwnFieldOrderAndSkipFieldsThatAreNotColumns() {
        // A later writer: fields in another order, and new fields of every Avro type between them.
        Schema current = SpendRollup.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        Schema nested = Schema.createRecord("Extra", null, "io.spendstream.test", false, List.of(
                new Schema.Field("a", Schema.create(Schema.Type.INT)),
                new Schema.Field("b", Schema.create(Schema.Type.BYTES))));
        List<Schema.Field> extras = List.of(
                new Schema.Field("x_map", Schema.createMap(Schema.create(Schema.Type.STRING))),
                new Schema.Field("x_array", Schema.createArray(Schema.create(Schema.Type.LONG))),
                new Schema.Field("x_union", Schema.createUnion(Schema.create(Schema.Type.NULL),
                        Schema.create(Schema.Type.DOUBLE), Schema.create(Schema.Type.STRING))),
                new Schema.Field("x_fixed", Schema.createFixed("Three", null, "io.spendstream.test", 3)),
                new Schema.Field("x_record", nested),
                new Schema.Field("x_float", Schema.create(Schema.Type.FLOAT)),
                new Schema.Field("x_bool", Schema.create(Schema.Type.BOOLEAN)));
        List<Schema.Field> old = new ArrayList<>(current.getFields());
        java.util.Collections.reverse(old);
        for (int i = 0; i < old.size(); i++) {
            Schema.Field f = old.get(i);
            fields.add(new Schema.Field(f.name(), f.schema(), f.doc()));
            if (i < extras.size()) {
                fields.add(extras.get(i));
            }
        }
        Schema writer = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
        AvroSerde<GenericRecord> evolved = AvroSerde.generic(writer, registry, false);
        WireTranscoders fast = new WireTranscoders(registry, SpendRollup.getClassSchema(), RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE);

        for (SpendRollup r : new TestData(9, 2).rollups.subList(0, 30)) {
            GenericRecord g = new GenericData.Record(writer);
            for (Schema.Field f : current.getFields()) {
                Object v = r.get(f.pos());
                g.put(f.name(), v instanceof Instant i ? i.toEpochMilli()
                        : v instanceof WindowSize w ? new GenericData.EnumSymbol(f.schema(), w.name()) : v);
            }
            g.put("x_map", Map.of("k", "v", "k2", "ü"));
            g.put("x_array", List.of(1L, -2L, Long.MAX_VALUE));
            g.put("x_union", r.getEvents() % 2 == 0 ? null : (Object) 1.5d);
            g.put("x_fixed", new GenericData.Fixed(extras.get(3).schema(), new byte[] {1, 2, 3}));
            GenericRecord n = new GenericData.Record(nested);
            n.put("a", -5);
            n.put("b", ByteBuffer.wrap(new byte[] {9, 8}));
            g.put("x_record", n);
            g.put("x_float", 2.5f);
            g.put("x_bool", true);
            byte[] wire = evolved.serialize("evolved-rollups", g);

            // The object path resolves the evolved writer to the current schema with Avro's rules.
            assertSameBytes(fast, wire, w -> RowEncoders.rollup(w, rollups.deserialize("rollups", wire)));
        }
    }

    @Test
    void shouldLeaveRecordsToTheObjectPathWhenAColumnIsMissingOrHasAnotherType() {
        Schema current = SpendRollup.getClassSchema();
        List<Schema.Field> withoutVersion = new ArrayList<>();
        List<Schema.Field> versionAsString = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            if (!f.name().equals("version")) {
                withoutVersion.add(new Schema.Field(f.name(), f.schema(), f.doc()));
            }
            versionAsString.add(new Schema.Field(f.name(),
                    f.name().equals("version") ? Schema.create(Schema.Type.STRING) : f.schema(), f.doc()));
        }
        assertThat(AvroRowTranscoder.compile(record(current, withoutVersion), current, RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE)).isEmpty();
        assertThat(AvroRowTranscoder.compile(record(current, versionAsString), current, RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE)).isEmpty();
        assertThat(AvroRowTranscoder.compile(current, current, RowEncoders.ROLLUP_COLUMNS, "no_such_enum")).isEmpty();
        assertThat(AvroRowTranscoder.compile(current, current, RowEncoders.ROLLUP_COLUMNS, RowEncoders.ROLLUP_ROUTE))
                .isPresent();

        // A later writer adds a window size the reader does not know: the object path must resolve
        // it (here: fail, and dead-letter the record), so there is no fast path for that schema.
        List<Schema.Field> withWeek = new ArrayList<>();
        for (Schema.Field f : current.getFields()) {
            withWeek.add(new Schema.Field(f.name(), f.name().equals("window_size")
                    ? Schema.createEnum("WindowSize", null, "io.spendstream.schema", List.of("MINUTE", "HOUR", "DAY", "WEEK"))
                    : f.schema(), f.doc()));
        }
        Schema laterWriter = record(current, withWeek);
        assertThat(AvroRowTranscoder.compile(laterWriter, current, RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE)).isEmpty();
        assertThat(AvroRowTranscoder.compile(laterWriter, null, RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE)).as("without a reader to check against").isPresent();

        WireTranscoders fast = new WireTranscoders(registry, SpendRollup.getClassSchema(), RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE);
        assertThat(fast.forRecord(new byte[] {0, 0, 0, 0x7F, 1, 2})).as("id unknown to the registry").isNull();
        assertThat(fast.forRecord(new byte[] {1, 0, 0, 0, 1, 2})).as("not the wire format").isNull();
        assertThat(fast.forRecord(new byte[] {0, 0})).as("too short").isNull();
    }

    @Test
    void shouldRejectTruncatedAndMalformedRecordsWithoutWritingAnything() {
        WireTranscoders fast = new WireTranscoders(registry, SpendRollup.getClassSchema(), RowEncoders.ROLLUP_COLUMNS,
                RowEncoders.ROLLUP_ROUTE);
        byte[] wire = rollups.serialize("rollups", new TestData(1, 1).rollups.getFirst());
        RowBinaryWriter w = new RowBinaryWriter();
        AvroRowTranscoder t = fast.forRecord(wire);
        t.read(wire, WireTranscoders.PAYLOAD_OFFSET).write(w);
        int size = w.size();
        for (int cut = WireTranscoders.PAYLOAD_OFFSET; cut < wire.length; cut++) {
            byte[] truncated = Arrays.copyOf(wire, cut);
            assertThatThrownBy(() -> t.read(truncated, WireTranscoders.PAYLOAD_OFFSET))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] badEnum = wire.clone();
        int enumAt = WireTranscoders.PAYLOAD_OFFSET;
        for (int s = 0; s < 4; s++) { // skip the four strings: zig-zag length (one byte here) + bytes
            enumAt += 1 + (badEnum[enumAt] >> 1);
        }
        badEnum[enumAt] = 2 * 7; // index 7 of a 3-symbol enum
        assertThatThrownBy(() -> t.read(badEnum, WireTranscoders.PAYLOAD_OFFSET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enum index 7");
        byte[] negativeLength = wire.clone();
        negativeLength[WireTranscoders.PAYLOAD_OFFSET] = 3; // zig-zag -2
        assertThatThrownBy(() -> t.read(negativeLength, WireTranscoders.PAYLOAD_OFFSET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("string length -2");
        assertThat(w.size()).as("nothing written by the failed reads").isEqualTo(size);
        assertThat(w.rows()).isEqualTo(1);
    }

    /** The direct path compiles for this record's writer schema and writes what the object path writes. */
    private static AvroRowTranscoder assertSameBytes(WireTranscoders fast, byte[] wire,
                                                     java.util.function.Consumer<RowBinaryWriter> objectPath) {
        RowBinaryWriter expected = new RowBinaryWriter();
        objectPath.accept(expected);
        AvroRowTranscoder t = fast.forRecord(wire);
        assertThat(t).as("a transcoder for this writer schema").isNotNull();
        RowBinaryWriter actual = new RowBinaryWriter();
        t.read(wire, WireTranscoders.PAYLOAD_OFFSET).write(actual);
        assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(actual.rows()).isEqualTo(1);
        return t;
    }

    private static Schema record(Schema like, List<Schema.Field> fields) {
        return Schema.createRecord(like.getName(), null, like.getNamespace(), false, fields);
    }
}
