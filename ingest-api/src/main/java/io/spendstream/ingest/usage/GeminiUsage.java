package io.spendstream.ingest.usage;

import io.spendstream.pricing.TokenClass;
import io.spendstream.pricing.TokenCounts;

/**
 * {@code gemini}: Google Gemini usageMetadata (the object itself or a response fragment holding it).
 * promptTokenCount includes cachedContentTokenCount; toolUsePromptTokenCount is input on top of the prompt;
 * candidatesTokenCount excludes thoughtsTokenCount. The *TokensDetails lists split each count by modality;
 * promptTokensDetails covers the whole prompt, cached part included, so the uncached tokens of a modality
 * are its prompt tokens less its cached tokens.
 */
final class GeminiUsage {
    private GeminiUsage() {}

    static TokenCounts read(UsageObject usage, String provider) throws UsageException {
        UsageObject m = usage.has("usageMetadata") ? usage.object("usageMetadata") : usage;
        Count promptTokens = m.count("promptTokenCount");
        Count cachedTokens = m.count("cachedContentTokenCount");
        Count toolTokens = m.count("toolUsePromptTokenCount");
        Count candidateTokens = m.count("candidatesTokenCount");
        GeminiModalities prompt = GeminiModalities.of(m, "promptTokensDetails");
        GeminiModalities cache = GeminiModalities.of(m, "cacheTokensDetails");
        GeminiModalities tool = GeminiModalities.of(m, "toolUsePromptTokensDetails");
        GeminiModalities candidates = GeminiModalities.of(m, "candidatesTokensDetails");

        Remainder.of(promptTokens).less(prompt.all(), "promptTokensDetails splits promptTokenCount by modality");
        Remainder.of(cachedTokens).less(cache.all(), "cacheTokensDetails splits cachedContentTokenCount by modality");
        Remainder.of(toolTokens).less(tool.all(), "toolUsePromptTokensDetails splits toolUsePromptTokenCount");
        long uncachedPrompt = Remainder.of(promptTokens)
                .less(cachedTokens, "promptTokenCount includes the cached content").value();
        // Without promptTokensDetails the prompt's modalities are unknown: its uncached part stays plain.
        boolean split = m.has("promptTokensDetails");
        String cachedPart = "promptTokensDetails includes the cached content";
        long uncachedAudio = split ? Remainder.of(prompt.audio()).less(cache.audio(), cachedPart).value() : 0;
        long uncachedImage = split ? Remainder.of(prompt.image()).less(cache.image(), cachedPart).value() : 0;
        long uncachedPlain = Remainder.of(new Count(promptTokens.path() + " less " + cachedTokens.path(), uncachedPrompt))
                .less(new Count(m.path() + ".promptTokensDetails[modality=AUDIO|IMAGE|DOCUMENT] less their cached part",
                        Math.addExact(uncachedAudio, uncachedImage)), cachedPart)
                .value();
        long toolPlain = toolTokens.value() - tool.audio().value() - tool.image().value();
        long output = Remainder.of(candidateTokens)
                .less(candidates.audio(), "candidatesTokensDetails splits candidatesTokenCount by modality")
                .less(candidates.image(), "candidatesTokensDetails splits candidatesTokenCount by modality")
                .value();

        return TokenCounts.builder()
                .set(TokenClass.INPUT, Math.addExact(uncachedPlain, toolPlain))
                .set(TokenClass.CACHED_INPUT, cachedTokens.value() - cache.audio().value())
                .set(TokenClass.INPUT_AUDIO, Math.addExact(uncachedAudio, tool.audio().value()))
                .set(TokenClass.CACHED_INPUT_AUDIO, cache.audio().value())
                .set(TokenClass.INPUT_IMAGE, Math.addExact(uncachedImage, tool.image().value()))
                .set(TokenClass.OUTPUT, output)
                .set(TokenClass.REASONING, m.count("thoughtsTokenCount").value())
                .set(TokenClass.OUTPUT_AUDIO, candidates.audio().value())
                .set(TokenClass.OUTPUT_IMAGE, candidates.image().value())
                .build();
    }
}
