package io.spendstream.ingest;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import io.spendstream.notifier.channel.UrlPolicy;
import io.spendstream.schemas.topics.Topics;
import java.time.Duration;

/**
 * The settings of the channel API (part of {@link IngestConfig}).
 *
 * @param channelsTopic      topic name of the channel table (compacted, one partition)
 * @param notifierUrl        base URL of the notifier's ops port, to which the delivery log and the test
 *                           button are forwarded
 * @param notifierTimeout    how long a forwarded request may take; above the notifier's request timeout,
 *                           since the test button waits for one delivery attempt
 * @param urlPolicy          which channel URLs are accepted (the same keys the notifier reads)
 * @param maxChannelsPerOrg  channels one org may have; creating one more: 409
 */
public record ChannelConfig(String channelsTopic, String notifierUrl, Duration notifierTimeout, UrlPolicy urlPolicy,
                            int maxChannelsPerOrg) {
    public static final String TOPIC_CHANNELS = "SPENDSTREAM_TOPIC_CHANNELS";
    public static final String NOTIFIER_URL = "SPENDSTREAM_NOTIFIER_URL";
    public static final String NOTIFIER_TIMEOUT = "SPENDSTREAM_NOTIFIER_TIMEOUT";
    public static final String MAX_CHANNELS = "SPENDSTREAM_MAX_CHANNELS_PER_ORG";

    public static ChannelConfig from(Settings s) {
        ChannelConfig c = new ChannelConfig(
                s.string(TOPIC_CHANNELS, Topics.CHANNELS.name()),
                s.string(NOTIFIER_URL, "http://127.0.0.1:8085"),
                s.duration(NOTIFIER_TIMEOUT, Duration.ofSeconds(15), Duration.ofMillis(10), Duration.ofMinutes(5)),
                UrlPolicy.from(s),
                s.integer(MAX_CHANNELS, 20, 1, 1000));
        if (!c.channelsTopic.matches("[A-Za-z0-9._-]{1,249}")) {
            throw new ConfigException(TOPIC_CHANNELS, c.channelsTopic, "a Kafka topic name (letters, digits, '.', '_', '-')");
        }
        if (!c.notifierUrl.matches("https?://[^\\s?#]+")) {
            throw new ConfigException(NOTIFIER_URL, c.notifierUrl, "an http:// or https:// URL with a host and no query,"
                    + " e.g. http://notifier:8085");
        }
        return c;
    }

    /** {@link #notifierUrl()} without a trailing slash. */
    public String notifierBaseUrl() {
        return notifierUrl.endsWith("/") ? notifierUrl.substring(0, notifierUrl.length() - 1) : notifierUrl;
    }
}
