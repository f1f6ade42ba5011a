package io.spendstream.ingest;

import io.spendstream.schemas.topics.TopicFollower;
import io.spendstream.config.KafkaClientSettings;
import io.spendstream.schema.Budget;
import io.spendstream.schemas.registry.SchemaRegistry;
import io.spendstream.schemas.topics.OrgPartitioning;
import io.spendstream.schemas.topics.TopicSpec;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory budget table of one ingest-api instance, read whole from the compacted budgets topic
 * (key {@code org_id|budget_id}, a tombstone deletes) by a {@link TopicFollower} and kept following it, so
 * a budget written through any instance is served by every instance. {@link #loaded()} is part of
 * readiness: before it, this instance would answer 404 for budgets that exist and would give a replaced
 * budget a new created_at.
 *
 * <p>Writes of this instance are applied locally once Kafka acknowledged them ({@link #apply},
 * {@link #remove}), so a read right after a write on the same instance sees it. The record's offset
 * orders the local write and the same record arriving later through the topic: an older record never
 * overwrites a newer one. That comparison is sound because every record of a key is in the same
 * partition (the key's org decides it, {@link OrgPartitioning}).
 */
public final class BudgetTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetTable.class);

    /** org_id → budget_id → budget, sorted by budget_id for listing. */
    private final Map<String, NavigableMap<String, Budget>> byOrg = new ConcurrentHashMap<>();
    /** Offset of the record each key was last set or deleted from (guarded by this). */
    private final LatestOffsets offsets = new LatestOffsets();
    private final Deserializer<Budget> deserializer;
    private final TopicFollower follower;

    public BudgetTable(KafkaClientSettings kafka, SchemaRegistry registry, TopicSpec<String, Budget> budgetsTopic) {
        this.deserializer = budgetsTopic.valueSerde(registry).deserializer();
        this.follower = new TopicFollower("ingest-budget-table", kafka, List.of(budgetsTopic.name()),
                this::applyRecord, () -> LOG.info("budget table loaded: {} budgets of {} orgs", size(), byOrg.size()));
    }

    public void start() {
        follower.start();
    }

    /** True once the table holds everything that was in the topic when this instance started. */
    public boolean loaded() {
        return follower.loaded();
    }

    public Optional<Budget> get(String orgId, String budgetId) {
        NavigableMap<String, Budget> budgets = byOrg.get(orgId);
        return budgets == null ? Optional.empty() : Optional.ofNullable(budgets.get(budgetId));
    }

    /** The org's budgets sorted by budget_id. */
    public List<Budget> list(String orgId) {
        NavigableMap<String, Budget> budgets = byOrg.get(orgId);
        return budgets == null ? List.of() : List.copyOf(budgets.values());
    }

    public int count(String orgId) {
        NavigableMap<String, Budget> budgets = byOrg.get(orgId);
        return budgets == null ? 0 : budgets.size();
    }

    /** Budgets of all orgs. */
    public int size() {
        return byOrg.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * Sets a budget (read from the topic, or written and acknowledged by this instance) unless a newer record
     * of the same key was applied already.
     *
     * @param offset the record's offset in its partition of the budgets topic
     */
    public synchronized void apply(Budget budget, long offset) {
        String key = OrgPartitioning.budgetKey(budget.getOrgId(), budget.getBudgetId());
        if (!offsets.acceptNewer(key, offset)) {
            return;
        }
        byOrg.computeIfAbsent(budget.getOrgId(), o -> new ConcurrentSkipListMap<>()).put(budget.getBudgetId(), budget);
    }

    /**
     * Deletes a budget (a tombstone read from the topic, or written and acknowledged by this instance) unless a
     * newer record of the same key was applied already.
     *
     * @param offset the tombstone's offset in its partition of the budgets topic
     */
    public synchronized void remove(String orgId, String budgetId, long offset) {
        if (!offsets.acceptNewer(OrgPartitioning.budgetKey(orgId, budgetId), offset)) {
            return;
        }
        NavigableMap<String, Budget> budgets = byOrg.get(orgId);
        if (budgets != null) {
            budgets.remove(budgetId);
            if (budgets.isEmpty()) {
                byOrg.remove(orgId);
            }
        }
    }

    private void applyRecord(ConsumerRecord<String, byte[]> r) {
        String key = r.key();
        int bar = key == null ? -1 : key.indexOf('|');
        if (bar < 0) {
            throw new IllegalArgumentException("a budget key must be org_id|budget_id, was " + key);
        }
        if (r.value() == null) {
            remove(key.substring(0, bar), key.substring(bar + 1), r.offset());
            return;
        }
        Budget b = deserializer.deserialize(r.topic(), r.value());
        if (!key.equals(OrgPartitioning.budgetKey(b.getOrgId(), b.getBudgetId()))) {
            // A tombstone of this key would never delete it: refuse it rather than keep a budget forever.
            throw new IllegalArgumentException("key " + key + " does not match the budget's org_id|budget_id");
        }
        apply(b, r.offset());
    }

    @Override
    public void close() {
        follower.close();
    }
}
