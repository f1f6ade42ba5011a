package io.spendstream.ingest.usage;

import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;
import java.util.Locale;
import java.util.Set;

/**
 * {@code openai.chat}: OpenAI Chat Completions usage, also sent by the OpenAI-compatible APIs (DeepSeek,
 * Mistral, xAI, Groq, Together, Fireworks, Cerebras). prompt_tokens includes its details (cached, audio
 * and cache-write tokens); completion_tokens includes reasoning and audio tokens, except at xAI.
 */
final class OpenAiChatUsage {
    /** Provider names under which completion_tokens excludes reasoning_tokens (the price source adds them for x-ai). */
    private static final Set<String> XAI = Set.of("xai", "x-ai", "grok");

    private OpenAiChatUsage() {}

    static TokenCounts read(UsageObject usage, String provider) throws UsageException {
        Count prompt = usage.count("prompt_tokens");
        Count completion = usage.count("completion_tokens");
        UsageObject promptDetails = usage.object("prompt_tokens_details");
        UsageObject completionDetails = usage.object("completion_tokens_details");

        Count cached = cachedTokens(usage, promptDetails, prompt);
        Count inputAudio = promptDetails.count("audio_tokens");
        // OpenRouter and Azure report cache writes here (the price source maps them); they are part of prompt_tokens.
        Count cacheWrite = promptDetails.count("cache_write_tokens");
        long input = Remainder.of(prompt)
                .less(cached, "prompt_tokens includes cached tokens")
                .less(inputAudio, "prompt_tokens includes audio tokens")
                .less(cacheWrite, "prompt_tokens includes cache writes")
                .value();

        Count reasoning = completionDetails.count("reasoning_tokens");
        Count outputAudio = completionDetails.count("audio_tokens");
        Remainder output = Remainder.of(completion);
        if (!isXai(provider)) {
            output = output.less(reasoning, "completion_tokens includes reasoning tokens");
        }
        output = output.less(outputAudio, "completion_tokens includes audio tokens");

        return TokenCounts.builder()
                .set(TokenClass.INPUT, input)
                .set(TokenClass.CACHED_INPUT, cached.value())
                .set(TokenClass.CACHE_WRITE, cacheWrite.value())
                .set(TokenClass.INPUT_AUDIO, inputAudio.value())
                .set(TokenClass.OUTPUT, output.value())
                .set(TokenClass.REASONING, reasoning.value())
                .set(TokenClass.OUTPUT_AUDIO, outputAudio.value())
                .build();
    }

    /**
     * Cached prompt tokens: prompt_tokens_details.cached_tokens, or DeepSeek's prompt_cache_hit_tokens. DeepSeek
     * also sends prompt_tokens_details.cached_tokens nowadays; when both are sent they must agree, since we
     * cannot know which one the bill follows.
     */
    private static Count cachedTokens(UsageObject usage, UsageObject promptDetails, Count prompt) throws UsageException {
        Count cached = promptDetails.count("cached_tokens");
        if (!usage.has("prompt_cache_hit_tokens")) {
            return cached;
        }
        Count hit = usage.count("prompt_cache_hit_tokens");
        if (promptDetails.has("cached_tokens") && cached.value() != hit.value()) {
            throw new UsageException(hit.path(), hit.describe() + " disagrees with " + cached.describe()
                    + ": both count the cached prompt tokens");
        }
        if (usage.has("prompt_cache_miss_tokens")) {
            Count miss = usage.count("prompt_cache_miss_tokens");
            if (Math.addExact(hit.value(), miss.value()) != prompt.value()) {
                throw new UsageException(hit.path(), hit.describe() + " plus " + miss.describe() + " is not "
                        + prompt.describe() + ": cache hits and misses split the prompt");
            }
        }
        return hit;
    }

    private static boolean isXai(String provider) {
        return provider != null && XAI.contains(provider.toLowerCase(Locale.ROOT));
    }
}
