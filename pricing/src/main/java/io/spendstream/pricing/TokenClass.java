package io.spendstream.pricing;

import java.util.List;

/**
 * The disjoint token classes of a model call. Every token of a call is counted in exactly one class
 * (the counts never overlap: {@code input_tokens} holds only what no other input class holds), and
 * the cost of a call is the sum over classes of its count times that class's price.
 *
 * <p>A class without a price of its own in a catalog entry is billed at the first priced class of
 * its {@link #fallbacks()} (its ancestors in the price source's unit tree: a 1-hour cache write is a
 * cache write is input), ending at {@link #INPUT} or {@link #OUTPUT}, which every entry prices.
 */
public enum TokenClass {
    INPUT("input_tokens", Direction.INPUT),
    CACHED_INPUT("cached_input_tokens", Direction.INPUT),
    CACHE_WRITE("cache_write_tokens", Direction.INPUT),
    CACHE_WRITE_1H("cache_write_1h_tokens", Direction.INPUT),
    INPUT_AUDIO("input_audio_tokens", Direction.INPUT),
    CACHED_INPUT_AUDIO("cached_input_audio_tokens", Direction.INPUT),
    INPUT_IMAGE("input_image_tokens", Direction.INPUT),
    OUTPUT("output_tokens", Direction.OUTPUT),
    REASONING("reasoning_tokens", Direction.OUTPUT),
    OUTPUT_AUDIO("output_audio_tokens", Direction.OUTPUT),
    OUTPUT_IMAGE("output_image_tokens", Direction.OUTPUT);

    /** Input or output side of the call; tiers are chosen by the total of the input side. */
    public enum Direction { INPUT, OUTPUT }

    private static final TokenClass[] ALL = values();

    private final String field;
    private final Direction direction;

    TokenClass(String field, Direction direction) {
        this.field = field;
        this.direction = direction;
    }

    /** The field name of this class in the events JSON, the UsageEvent schema and ClickHouse. */
    public String field() {
        return field;
    }

    public Direction direction() {
        return direction;
    }

    /** Classes whose price this class takes when it has none of its own, nearest first. */
    public List<TokenClass> fallbacks() {
        return switch (this) {
            case INPUT, OUTPUT -> List.of();
            case CACHED_INPUT, CACHE_WRITE, INPUT_AUDIO, INPUT_IMAGE -> List.of(INPUT);
            case CACHE_WRITE_1H -> List.of(CACHE_WRITE, INPUT);
            case CACHED_INPUT_AUDIO -> List.of(CACHED_INPUT, INPUT_AUDIO, INPUT);
            case REASONING, OUTPUT_AUDIO, OUTPUT_IMAGE -> List.of(OUTPUT);
        };
    }

    public static TokenClass[] all() {
        return ALL.clone();
    }

    public static int count() {
        return ALL.length;
    }

    static TokenClass of(int ordinal) {
        return ALL[ordinal];
    }
}
