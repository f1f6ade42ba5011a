package io.spendstream.sink.rows;

import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import io.spendstream.sink.rows.AvroRowTranscoder.Column;
import io.spendstream.sink.rows.AvroRowTranscoder.Kind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes the pipeline's Avro records as RowBinary rows of the sink's tables. The column order
 * here must match the migrations' CREATE TABLE statements (ALIAS columns are not sent);
 * {@code RowEncodersTest} and the integration tests check the round trip.
 */
public final class RowEncoders {
    private RowEncoders() {}

    /**
     * The columns of spend_rollups_{minute,hour,day} for {@link AvroRowTranscoder}, in the order
     * {@link #rollup} writes them; the table is chosen by {@link #ROLLUP_ROUTE}.
     */
    public static final List<Column> ROLLUP_COLUMNS = List.of(
            new Column("org_id", Kind.STRING), new Column("feature", Kind.STRING),
            new Column("provider", Kind.STRING), new Column("model", Kind.STRING),
            new Column("window_start", Kind.TIMESTAMP_MILLIS), new Column("window_end", Kind.TIMESTAMP_MILLIS),
            new Column("events", Kind.LONG), new Column("errors", Kind.LONG),
            new Column("input_tokens", Kind.LONG), new Column("output_tokens", Kind.LONG),
            new Column("cached_input_tokens", Kind.LONG), new Column("cache_write_tokens", Kind.LONG),
            new Column("reasoning_tokens", Kind.LONG), new Column("cost_usd_nanos", Kind.LONG),
            new Column("unpriced_events", Kind.LONG), new Column("latency_ms_sum", Kind.LONG),
            new Column("latency_ms_max", Kind.LONG), new Column("version", Kind.LONG),
            new Column("updated_at", Kind.TIMESTAMP_MILLIS));
    public static final String ROLLUP_ROUTE = "window_size";

    /** The columns of budget_alerts for {@link AvroRowTranscoder}, in the order {@link #alert} writes them. */
    public static final List<Column> ALERT_COLUMNS = List.of(
            new Column("org_id", Kind.STRING), new Column("alert_id", Kind.STRING),
            new Column("budget_id", Kind.STRING), new Column("scope", Kind.ENUM_SYMBOL),
            new Column("scope_value", Kind.NULLABLE_STRING), new Column("period_start", Kind.TIMESTAMP_MILLIS),
            new Column("period_end", Kind.TIMESTAMP_MILLIS), new Column("threshold_percent", Kind.INT),
            new Column("kind", Kind.ENUM_SYMBOL), new Column("spend_usd_nanos", Kind.LONG),
            new Column("limit_usd_nanos", Kind.LONG), new Column("projected_usd_nanos", Kind.LONG),
            new Column("triggered_at", Kind.TIMESTAMP_MILLIS), new Column("trigger_event_id", Kind.NULLABLE_STRING));

    /** The columns of priced_events for {@link AvroRowTranscoder}, in the order {@link #pricedEvent} writes them. */
    public static final List<Column> PRICED_EVENT_COLUMNS = List.of(
            new Column("event.org_id", Kind.STRING), new Column("event.timestamp", Kind.TIMESTAMP_MILLIS),
            new Column("event.event_id", Kind.STRING), new Column("event.event_id_assigned", Kind.BOOLEAN),
            new Column("event.received_at", Kind.TIMESTAMP_MILLIS), new Column("event.feature", Kind.STRING),
            new Column("event.provider", Kind.STRING), new Column("event.model", Kind.STRING),
            new Column("event.input_tokens", Kind.LONG), new Column("event.output_tokens", Kind.LONG),
            new Column("event.cached_input_tokens", Kind.LONG), new Column("event.cache_write_tokens", Kind.LONG),
            new Column("event.reasoning_tokens", Kind.LONG), new Column("event.cache_write_1h_tokens", Kind.LONG),
            new Column("event.input_audio_tokens", Kind.LONG), new Column("event.cached_input_audio_tokens", Kind.LONG),
            new Column("event.input_image_tokens", Kind.LONG), new Column("event.output_audio_tokens", Kind.LONG),
            new Column("event.output_image_tokens", Kind.LONG),
            new Column("event.client_cost_usd_nanos", Kind.NULLABLE_LONG),
            new Column("event.latency_ms", Kind.NULLABLE_LONG), new Column("event.status", Kind.ENUM_SYMBOL),
            new Column("event.error_code", Kind.NULLABLE_STRING), new Column("event.user_id", Kind.NULLABLE_STRING),
            new Column("event.session_id", Kind.NULLABLE_STRING), new Column("event.tags", Kind.STRING_MAP),
            new Column("event.metadata", Kind.MAP_AS_TEXT), new Column("event.api_key_id", Kind.NULLABLE_STRING),
            new Column("event.usage_format", Kind.NULLABLE_STRING),
            new Column("cost_usd_nanos", Kind.LONG), new Column("cost_source", Kind.ENUM_SYMBOL),
            new Column("priced", Kind.BOOLEAN), new Column("price_provider", Kind.NULLABLE_STRING),
            new Column("price_model", Kind.NULLABLE_STRING),
            new Column("price_effective_from", Kind.NULLABLE_TIMESTAMP_MILLIS),
            new Column("price_tier_input_tokens_above", Kind.NULLABLE_LONG),
            new Column("price_window_start_second_utc", Kind.NULLABLE_INT),
            new Column("processed_at", Kind.TIMESTAMP_MILLIS));

    /** spend_rollups_{minute,hour,day}. */
    public static void rollup(RowBinaryWriter w, SpendRollup r) {
        w.string(r.getOrgId()).string(r.getFeature()).string(r.getProvider()).string(r.getModel())
                .dateTime64Millis(millis(r.getWindowStart())).dateTime64Millis(millis(r.getWindowEnd()))
                .int64(r.getEvents()).int64(r.getErrors())
                .int64(r.getInputTokens()).int64(r.getOutputTokens()).int64(r.getCachedInputTokens())
                .int64(r.getCacheWriteTokens()).int64(r.getReasoningTokens())
                .int64(r.getCostUsdNanos()).int64(r.getUnpricedEvents())
                .int64(r.getLatencyMsSum()).int64(r.getLatencyMsMax())
                .uint64(r.getVersion()).dateTime64Millis(millis(r.getUpdatedAt()))
                .endRow();
    }

    /** priced_events. */
    public static void pricedEvent(RowBinaryWriter w, PricedUsageEvent p) {
        UsageEvent e = p.getEvent();
        w.string(e.getOrgId()).dateTime64Millis(millis(e.getTimestamp())).string(e.getEventId())
                .bool(e.getEventIdAssigned())
                .dateTime64Millis(millis(e.getReceivedAt()))
                .string(e.getFeature()).string(e.getProvider()).string(e.getModel())
                .int64(e.getInputTokens()).int64(e.getOutputTokens()).int64(e.getCachedInputTokens())
                .int64(e.getCacheWriteTokens()).int64(e.getReasoningTokens())
                .int64(e.getCacheWrite1hTokens()).int64(e.getInputAudioTokens()).int64(e.getCachedInputAudioTokens())
                .int64(e.getInputImageTokens()).int64(e.getOutputAudioTokens()).int64(e.getOutputImageTokens())
                .nullableInt64(e.getClientCostUsdNanos()).nullableInt64(e.getLatencyMs())
                .string(e.getStatus().name()).nullableString(e.getErrorCode())
                .nullableString(e.getUserId()).nullableString(e.getSessionId())
                .stringMap(metadataAsText(e.getTags())).stringMap(metadataAsText(e.getMetadata()))
                .nullableString(e.getApiKeyId()).nullableString(e.getUsageFormat())
                .int64(p.getCostUsdNanos()).string(p.getCostSource().name()).bool(p.getPriced())
                .nullableString(p.getPriceProvider()).nullableString(p.getPriceModel());
        Instant from = p.getPriceEffectiveFrom();
        if (from == null) {
            w.uint8(1);
        } else {
            w.uint8(0).dateTime64Millis(from.toEpochMilli());
        }
        w.nullableInt64(p.getPriceTierInputTokensAbove()).nullableInt32(p.getPriceWindowStartSecondUtc())
                .dateTime64Millis(millis(p.getProcessedAt())).endRow();
    }

    /** budget_alerts. */
    public static void alert(RowBinaryWriter w, BudgetAlert a) {
        w.string(a.getOrgId()).string(a.getAlertId()).string(a.getBudgetId())
                .string(a.getScope().name()).nullableString(a.getScopeValue())
                .dateTime64Millis(millis(a.getPeriodStart())).dateTime64Millis(millis(a.getPeriodEnd()))
                .int32(a.getThresholdPercent()).string(a.getKind().name())
                .int64(a.getSpendUsdNanos()).int64(a.getLimitUsdNanos()).int64(a.getProjectedUsdNanos())
                .dateTime64Millis(millis(a.getTriggeredAt())).nullableString(a.getTriggerEventId())
                .endRow();
    }

    /**
     * Map values (tags' strings; metadata's string, long, double or boolean) as text, keys sorted for a
     * stable encoding (the decoded map is a HashMap).
     */
    public static Map<String, String> metadataAsText(Map<? extends CharSequence, ?> metadata) {
        Map<String, String> out = new TreeMap<>();
        if (metadata != null) {
            metadata.forEach((k, v) -> out.put(k.toString(), v == null ? "" : v.toString()));
        }
        return out;
    }

    private static long millis(Instant i) {
        return i.toEpochMilli();
    }
}
