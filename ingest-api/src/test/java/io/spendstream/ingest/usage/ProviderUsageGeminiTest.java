package io.spendstream.ingest.usage;

import static io.spendstream.ingest.usage.Usages.counts;
import static io.spendstream.ingest.usage.Usages.error;
import static io.spendstream.ingest.usage.Usages.expect;
import static io.spendstream.ingest.usage.Usages.read;
import static io.spendstream.pricing.TokenClass.CACHED_INPUT;
import static io.spendstream.pricing.TokenClass.CACHED_INPUT_AUDIO;
import static io.spendstream.pricing.TokenClass.INPUT;
import static io.spendstream.pricing.TokenClass.INPUT_AUDIO;
import static io.spendstream.pricing.TokenClass.INPUT_IMAGE;
import static io.spendstream.pricing.TokenClass.OUTPUT;
import static io.spendstream.pricing.TokenClass.OUTPUT_AUDIO;
import static io.spendstream.pricing.TokenClass.OUTPUT_IMAGE;
import static io.spendstream.pricing.TokenClass.REASONING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProviderUsageGeminiTest {

    // A recorded gemini-2.5-flash generateContent response (text and image prompt, implicit cache hit, thinking);
    // the fields are those of UsageMetadata in the Gemini API reference (ai.google.dev/api/generate-content).
    static final String IMAGE_CACHE_EXAMPLE = """
            {
              "usageMetadata": {
                "promptTokenCount": 326,
                "candidatesTokenCount": 63,
                "totalTokenCount": 543,
                "cachedContentTokenCount": 173,
                "promptTokensDetails": [
                  {
                    "modality": "TEXT",
                    "tokenCount": 68
                  },
                  {
                    "modality": "IMAGE",
                    "tokenCount": 258
                  }
                ],
                "cacheTokensDetails": [
                  {
                    "modality": "IMAGE",
                    "tokenCount": 137
                  },
                  {
                    "modality": "TEXT",
                    "tokenCount": 36
                  }
                ],
                "thoughtsTokenCount": 154
              },
              "modelVersion": "gemini-2.5-flash",
              "responseId": "VkH2aIbVB7_l1e8P4rrl0A4"
            }""";

    // Another recorded gemini-2.5-flash usageMetadata (text only, implicit cache hit, thinking).
    static final String TEXT_CACHE_EXAMPLE = """
            {
              "promptTokenCount": 855,
              "candidatesTokenCount": 216,
              "totalTokenCount": 1679,
              "cachedContentTokenCount": 568,
              "promptTokensDetails": [
                {
                  "modality": "TEXT",
                  "tokenCount": 855
                }
              ],
              "cacheTokensDetails": [
                {
                  "modality": "TEXT",
                  "tokenCount": 568
                }
              ],
              "thoughtsTokenCount": 608
            }""";

    @Test
    void shouldCountCachedTokensOnceWhenPromptTokenCountIncludesThem() throws Exception {
        ProviderUsage u = read(TEXT_CACHE_EXAMPLE, null, "google");
        assertThat(u.format()).isEqualTo(UsageFormat.GEMINI);
        assertThat(u.counts()).isEqualTo(expect(INPUT, 287, CACHED_INPUT, 568, OUTPUT, 216, REASONING, 608));
    }

    @Test
    void shouldSplitUncachedImageTokensFromTheCachedOnesOfTheWrappedResponse() throws Exception {
        // Cached image tokens are cached input (the cached class covers every modality but audio).
        assertThat(counts(IMAGE_CACHE_EXAMPLE, null, "google"))
                .isEqualTo(expect(INPUT, 32, CACHED_INPUT, 173, INPUT_IMAGE, 121, OUTPUT, 63, REASONING, 154));
    }

    @Test
    void shouldAddToolUsePromptTokensToTheInputByModality() throws Exception {
        String usage = """
                {"promptTokenCount": 100, "candidatesTokenCount": 10, "toolUsePromptTokenCount": 50,
                 "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 100}],
                 "toolUsePromptTokensDetails": [{"modality": "TEXT", "tokenCount": 30},
                                                {"modality": "DOCUMENT", "tokenCount": 20}]}""";
        assertThat(counts(usage, "gemini", "google")).isEqualTo(expect(INPUT, 130, INPUT_IMAGE, 20, OUTPUT, 10));
    }

    @Test
    void shouldPutAudioInTheAudioClassesCachedOrNot() throws Exception {
        String usage = """
                {"promptTokenCount": 1000, "cachedContentTokenCount": 600, "candidatesTokenCount": 300,
                 "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 700}, {"modality": "TEXT", "tokenCount": 300}],
                 "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 500}, {"modality": "TEXT", "tokenCount": 100}],
                 "candidatesTokensDetails": [{"modality": "AUDIO", "tokenCount": 250}, {"modality": "TEXT", "tokenCount": 50}]}""";
        assertThat(counts(usage, null, "google")).isEqualTo(expect(INPUT, 200, CACHED_INPUT, 100, INPUT_AUDIO, 200,
                CACHED_INPUT_AUDIO, 500, OUTPUT, 50, OUTPUT_AUDIO, 250));
    }

    @Test
    void shouldKeepVideoAndUnknownModalitiesInThePlainClasses() throws Exception {
        String usage = """
                {"promptTokenCount": 90, "candidatesTokenCount": 40,
                 "promptTokensDetails": [{"modality": "VIDEO", "tokenCount": 80}, {"modality": "TEXT", "tokenCount": 10}],
                 "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 30}, {"modality": "MODALITY_UNSPECIFIED"}]}""";
        assertThat(counts(usage, null, "google")).isEqualTo(expect(INPUT, 90, OUTPUT, 10, OUTPUT_IMAGE, 30));
    }

    @Test
    void shouldKeepTheUncachedPromptPlainWhenItHasNoModalityDetails() throws Exception {
        String usage = """
                {"promptTokenCount": 100, "cachedContentTokenCount": 80, "candidatesTokenCount": 1,
                 "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 80}]}""";
        assertThat(counts(usage, null, "google")).isEqualTo(expect(INPUT, 20, CACHED_INPUT_AUDIO, 80, OUTPUT, 1));
    }

    @Test
    void shouldRejectCachedContentLargerThanThePrompt() {
        UsageException e = error("{\"promptTokenCount\": 10, \"cachedContentTokenCount\": 11}", null, "google");
        assertThat(e.field()).isEqualTo("usage.cachedContentTokenCount");
        assertThat(e.getMessage()).isEqualTo("usage.cachedContentTokenCount (11) exceeds usage.promptTokenCount (10):"
                + " promptTokenCount includes the cached content");
    }

    @Test
    void shouldRejectCachedAudioLargerThanThePromptsAudio() {
        UsageException e = error("""
                {"usageMetadata": {"promptTokenCount": 100, "cachedContentTokenCount": 50,
                 "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 40}, {"modality": "TEXT", "tokenCount": 60}],
                 "cacheTokensDetails": [{"modality": "AUDIO", "tokenCount": 50}]}}""", null, "google");
        assertThat(e.field()).isEqualTo("usage.usageMetadata.cacheTokensDetails[modality=AUDIO].tokenCount");
        assertThat(e.getMessage()).endsWith("promptTokensDetails includes the cached content");
    }

    @Test
    void shouldRejectModalityDetailsLargerThanTheirCount() {
        UsageException e = error("""
                {"promptTokenCount": 10, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 11}]}""",
                null, "google");
        assertThat(e.field()).isEqualTo("usage.promptTokensDetails[*].tokenCount");
    }

    @Test
    void shouldRejectMalformedModalityDetailsWithTheirPath() {
        assertThat(error("{\"promptTokenCount\": 10, \"promptTokensDetails\": {}}", null, "google").field())
                .isEqualTo("usage.promptTokensDetails");
        assertThat(error("{\"promptTokenCount\": 10, \"promptTokensDetails\": [{\"modality\": 1}]}", null, "google")
                .field()).isEqualTo("usage.promptTokensDetails[0].modality");
        assertThat(error("{\"promptTokenCount\": 10, \"promptTokensDetails\": [{\"tokenCount\": 1.5}]}", null,
                "google").field()).isEqualTo("usage.promptTokensDetails[0].tokenCount");
    }
}
