-- The token classes and pricing facts the schemas gained (UsageEvent: 1-hour cache writes, audio,
-- cached audio, image in/out, usage_format; PricedUsageEvent: the prompt-size tier and daily window
-- used). Each column sits next to its kin so that SELECT * reads in the order of the Avro records;
-- RowEncoders and AvroRowTranscoder write rows in this column order. Rows written before this
-- migration read the Avro defaults: 0 tokens, NULL format, tier and window.
ALTER TABLE ${database}.priced_events
    ADD COLUMN IF NOT EXISTS cache_write_1h_tokens Int64 AFTER reasoning_tokens,
    ADD COLUMN IF NOT EXISTS input_audio_tokens Int64 AFTER cache_write_1h_tokens,
    ADD COLUMN IF NOT EXISTS cached_input_audio_tokens Int64 AFTER input_audio_tokens,
    ADD COLUMN IF NOT EXISTS input_image_tokens Int64 AFTER cached_input_audio_tokens,
    ADD COLUMN IF NOT EXISTS output_audio_tokens Int64 AFTER input_image_tokens,
    ADD COLUMN IF NOT EXISTS output_image_tokens Int64 AFTER output_audio_tokens,
    ADD COLUMN IF NOT EXISTS usage_format LowCardinality(Nullable(String)) AFTER api_key_id,
    ADD COLUMN IF NOT EXISTS price_tier_input_tokens_above Nullable(Int64) AFTER price_effective_from,
    ADD COLUMN IF NOT EXISTS price_window_start_second_utc Nullable(Int32) AFTER price_tier_input_tokens_above;
