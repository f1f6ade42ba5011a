package io.spendstream.local.bench;

import java.util.Random;

/** The realistic usage events the benchmark commands post: one field mix, shared by all of them. */
final class BenchEvents {
    static final String[] FEATURES = {"support-chat", "search-summarize", "code-review", "email-draft", "doc-qa",
        "agent-planner", "translation", "classification", "extraction", "autocomplete"};
    static final String[][] MODELS = {{"openai", "gpt-4o-2024-08-06"}, {"openai", "gpt-4o-mini"},
        {"anthropic", "claude-sonnet-4-5"}, {"anthropic", "claude-haiku-4-5"}, {"google", "gemini-2.5-flash"},
        {"mistral", "mistral-large-latest"}};

    private BenchEvents() {}

    /**
     * Appends an event's fields after its timestamp, from {@code ,"feature"} to the closing brace of
     * {@code metadata} (the caller closes the event): varied features, models, token counts, latency,
     * some errors, user, session, tags and metadata.
     */
    static StringBuilder appendFields(StringBuilder sb, Random r) {
        String[] m = MODELS[r.nextInt(MODELS.length)];
        int in = 200 + r.nextInt(8000);
        int out = 20 + r.nextInt(1500);
        return sb.append("\",\"feature\":\"").append(FEATURES[r.nextInt(FEATURES.length)])
                .append("\",\"provider\":\"").append(m[0]).append("\",\"model\":\"").append(m[1])
                .append("\",\"input_tokens\":").append(in).append(",\"output_tokens\":").append(out)
                .append(",\"cached_input_tokens\":").append(r.nextInt(3) == 0 ? r.nextInt(in) : 0)
                .append(",\"latency_ms\":").append(150 + r.nextInt(5000))
                .append(",\"status\":\"").append(r.nextInt(50) == 0 ? "error" : "ok")
                .append("\",\"user_id\":\"user-").append(r.nextInt(100_000))
                .append("\",\"session_id\":\"sess-").append(Long.toHexString(r.nextLong()))
                .append("\",\"tags\":{\"env\":\"prod\",\"team\":\"team-").append(r.nextInt(20))
                .append("\"},\"metadata\":{\"region\":\"eu-west-1\",\"retries\":").append(r.nextInt(3))
                .append('}');
    }
}
