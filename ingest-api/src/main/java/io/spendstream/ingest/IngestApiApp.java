package io.spendstream.ingest;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: reads {@link IngestConfig} from the environment, ensures the topics, serves until stopped. */
public final class IngestApiApp {
    private static final Logger LOG = LoggerFactory.getLogger(IngestApiApp.class);

    private IngestApiApp() {}

    public static void main(String[] args) throws InterruptedException {
        IngestConfig config;
        try {
            config = IngestConfig.from(Settings.fromEnvironment());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("starting ingest-api with {}", config);
        IngestApi.ensureTopics(config, Duration.ofSeconds(60));
        IngestApi api = IngestApi.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down ingest-api");
            api.close();
            stopped.countDown();
        }, "ingest-api-shutdown"));
        stopped.await();
    }
}
