package io.spendstream.ingest.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.spendstream.pricing.TokenCounts;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The provider usage formats ingest-api reads; their names are part of the API ({@code usage_format}). */
public enum UsageFormat {
    OPENAI_CHAT("openai.chat", OpenAiChatUsage::read),
    OPENAI_RESPONSES("openai.responses", OpenAiResponsesUsage::read),
    ANTHROPIC("anthropic", AnthropicUsage::read),
    GEMINI("gemini", GeminiUsage::read),
    BEDROCK_CONVERSE("bedrock.converse", BedrockConverseUsage::read);

    /** Reads one format's usage object into disjoint counts. */
    @FunctionalInterface
    interface Reader {
        TokenCounts read(UsageObject usage, String provider) throws UsageException;
    }

    static final String NAMES = Arrays.stream(values()).map(UsageFormat::id).collect(Collectors.joining(", "));

    private final String id;
    private final Reader reader;

    UsageFormat(String id, Reader reader) {
        this.id = id;
        this.reader = reader;
    }

    public String id() {
        return id;
    }

    TokenCounts read(UsageObject usage, String provider) throws UsageException {
        return reader.read(usage, provider);
    }

    static UsageFormat named(String id) throws UsageException {
        for (UsageFormat f : values()) {
            if (f.id.equals(id)) {
                return f;
            }
        }
        throw new UsageException("usage_format", "unknown usage format \"" + id + "\": use one of " + NAMES);
    }

    /** The format of a usage object sent without usage_format, told by the keys each format always sends. */
    static UsageFormat detect(JsonNode usage) throws UsageException {
        if (usage.has("prompt_tokens")) {
            return OPENAI_CHAT;
        }
        if (usage.has("promptTokenCount") || usage.has("usageMetadata")) {
            return GEMINI;
        }
        if (usage.has("inputTokens")) {
            return BEDROCK_CONVERSE;
        }
        if (usage.has("input_tokens")) {
            if (usage.has("input_tokens_details") || usage.has("output_tokens_details") || usage.has("total_tokens")) {
                return OPENAI_RESPONSES;
            }
            // Anthropic's cache_creation*/cache_read* keys, or a plain {input_tokens, output_tokens}: without
            // cache or detail fields both formats give the same counts, so reading it as Anthropic is safe.
            return ANTHROPIC;
        }
        throw new UsageException("usage", "cannot tell the provider format from its fields: send usage_format,"
                + " one of " + NAMES);
    }
}
