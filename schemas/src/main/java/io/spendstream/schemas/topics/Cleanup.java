package io.spendstream.schemas.topics;

/** A topic's cleanup.policy. */
public enum Cleanup {
    /** Time-based retention: event streams. */
    DELETE("delete"),
    /** Latest value per key forever: tables (budgets, prices, API keys, orgs). */
    COMPACT("compact"),
    /** Latest value per key, and old keys expire after the retention: upsert streams. */
    COMPACT_DELETE("compact,delete");

    private final String policy;

    Cleanup(String policy) {
        this.policy = policy;
    }

    public String policy() {
        return policy;
    }
}
