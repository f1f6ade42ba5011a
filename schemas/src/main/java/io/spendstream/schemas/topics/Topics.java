package io.spendstream.schemas.topics;

import static io.spendstream.schemas.topics.SerdeSpec.avro;
import static io.spendstream.schemas.topics.SerdeSpec.bytes;
import static io.spendstream.schemas.topics.SerdeSpec.string;

import io.spendstream.schema.AlertDelivery;
import io.spendstream.schema.ApiKey;
import io.spendstream.schema.ApiKeyUsage;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetAlert;
import io.spendstream.schema.Channel;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.Org;
import io.spendstream.schema.PricedUsageEvent;
import io.spendstream.schema.SpendRollup;
import io.spendstream.schema.UsageEvent;
import java.time.Duration;
import java.util.List;

/**
 * The typed topic catalog: every topic of the pipeline with its key and value types. Keys are plain
 * UTF-8 strings so that any consumer (console consumer, kcat) can read and partition by them; values
 * are Avro in the Confluent wire format, except the JSON alert topic and the dead letters.
 */
public final class Topics {
    private Topics() {}

    private static final Duration WEEK = Duration.ofDays(7);

    public static final TopicSpec<String, UsageEvent> USAGE_EVENTS = new TopicSpec<>("usage-events",
            string(), avro(UsageEvent.class), Cleanup.DELETE, WEEK, false,
            "Raw usage events from ingest-api, key org_id (one org's events in one partition).");

    public static final TopicSpec<String, PricedUsageEvent> PRICED_USAGE_EVENTS = new TopicSpec<>("priced-usage-events",
            string(), avro(PricedUsageEvent.class), Cleanup.DELETE, WEEK, false,
            "Deduplicated, priced events from stream-processor, key org_id.");

    public static final TopicSpec<String, SpendRollup> SPEND_ROLLUPS = new TopicSpec<>("spend-rollups",
            string(), avro(SpendRollup.class), Cleanup.COMPACT_DELETE, Duration.ofDays(35), false,
            "Windowed spend upserts, key org|feature|provider|model|window_size|window_start; latest version wins.");

    public static final TopicSpec<String, PricedUsageEvent> LATE_USAGE_EVENTS = new TopicSpec<>("usage-events-late",
            string(), avro(PricedUsageEvent.class), Cleanup.DELETE, Duration.ofDays(30), false,
            "Priced events that arrived after the grace period of a rollup window, key org_id; header"
                    + " spendstream.late-for names the window sizes they missed. Counted, never silently dropped.");

    public static final TopicSpec<byte[], byte[]> USAGE_EVENTS_DLQ = new TopicSpec<>("usage-events-dlq",
            bytes(), bytes(), Cleanup.DELETE, Duration.ofDays(30), false,
            "Records stream-processor could not read or process, original bytes, reason and origin in headers.");

    public static final TopicSpec<String, ModelPrice> MODEL_PRICES = new TopicSpec<>("model-prices",
            string(), avro(ModelPrice.class), Cleanup.COMPACT, null, true,
            "Versioned model price catalog, key provider|model|effective_from_millis.");

    public static final TopicSpec<String, Budget> BUDGETS = new TopicSpec<>("budgets",
            string(), avro(Budget.class), Cleanup.COMPACT, null, false,
            "Budgets, key org_id|budget_id; tombstone deletes.");

    public static final TopicSpec<String, BudgetAlert> BUDGET_ALERTS = new TopicSpec<>("budget-alerts",
            string(), avro(BudgetAlert.class), Cleanup.DELETE, Duration.ofDays(90), false,
            "Budget alerts in Avro, key org_id.");

    public static final TopicSpec<String, String> BUDGET_ALERTS_JSON = new TopicSpec<>("budget-alerts-json",
            string(), string(), Cleanup.DELETE, Duration.ofDays(90), false,
            "The same budget alerts as JSON text for consumers without a registry client, key org_id.");

    public static final TopicSpec<String, ApiKey> API_KEYS = new TopicSpec<>("api-keys",
            string(), avro(ApiKey.class), Cleanup.COMPACT, null, true,
            "API keys (hash and prefix only), key key_id; read whole by every ingest-api instance.");

    public static final TopicSpec<String, ApiKeyUsage> API_KEY_USAGE = new TopicSpec<>("api-key-usage",
            string(), avro(ApiKeyUsage.class), Cleanup.COMPACT, null, true,
            "When each API key was last used (minute resolution), key key_id; written by the instance that saw"
                    + " the use, at most once a minute per key, read whole by every ingest-api instance.");

    public static final TopicSpec<String, Org> ORGS = new TopicSpec<>("orgs",
            string(), avro(Org.class), Cleanup.COMPACT, null, true,
            "Customer orgs, key org_id.");

    public static final TopicSpec<byte[], byte[]> SINK_DLQ = new TopicSpec<>("sink-clickhouse-dlq",
            bytes(), bytes(), Cleanup.DELETE, Duration.ofDays(30), false,
            "Records sink-clickhouse could not write (fatal errors, when configured to dead-letter them).");

    public static final TopicSpec<String, Channel> CHANNELS = new TopicSpec<>("channels",
            string(), avro(Channel.class), Cleanup.COMPACT, null, true,
            "Alert delivery channels of the orgs (webhook, Slack, Teams), key org_id|channel_id; tombstone deletes."
                    + " Holds the webhook signing secrets; read whole by ingest-api and the notifier.");

    /**
     * Kept 30 days: longer than any retry horizon (at most 7 d), so the record of a delivery outlives every
     * replay of its alert (the notifier does not deliver alerts older than the horizon).
     */
    public static final TopicSpec<String, AlertDelivery> ALERT_DELIVERIES = new TopicSpec<>("alert-deliveries",
            string(), avro(AlertDelivery.class), Cleanup.COMPACT_DELETE, Duration.ofDays(30), false,
            "State and attempts of each alert's delivery to each channel, key org_id|alert_id|channel_id,"
                    + " partitioned by org_id like budget-alerts; written by the notifier before it commits the alert.");

    /** Every topic, in creation order. */
    public static List<TopicSpec<?, ?>> all() {
        return List.of(USAGE_EVENTS, PRICED_USAGE_EVENTS, SPEND_ROLLUPS, LATE_USAGE_EVENTS, USAGE_EVENTS_DLQ,
                MODEL_PRICES, BUDGETS, BUDGET_ALERTS, BUDGET_ALERTS_JSON, API_KEYS, API_KEY_USAGE, ORGS, SINK_DLQ,
                CHANNELS, ALERT_DELIVERIES);
    }
}
