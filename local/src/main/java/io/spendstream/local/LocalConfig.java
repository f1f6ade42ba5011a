package io.spendstream.local;

import io.spendstream.config.Settings;
import io.spendstream.embedded.LoopbackPorts;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Settings of the one-command local run.
 *
 * @param externalKafka bootstrap servers of a Kafka cluster to use instead of the embedded broker (with the
 *                      SPENDSTREAM_KAFKA_* client settings, e.g. SASL_SSL); null: the embedded broker
 */
public record LocalConfig(Path dataDir, int httpPort, int kafkaPort, int kafkaControllerPort, int registryPort,
                          int processorPort, int sinkPort, int partitions, String externalKafka) {
    public static final String DATA_DIR = "SPENDSTREAM_DATA_DIR";
    public static final String HTTP_PORT = "SPENDSTREAM_HTTP_PORT";
    public static final String KAFKA_PORT = "SPENDSTREAM_LOCAL_KAFKA_PORT";
    public static final String KAFKA_CONTROLLER_PORT = "SPENDSTREAM_LOCAL_KAFKA_CONTROLLER_PORT";
    public static final String REGISTRY_PORT = "SPENDSTREAM_LOCAL_REGISTRY_PORT";
    public static final String PROCESSOR_PORT = "SPENDSTREAM_PROCESSOR_HTTP_PORT";
    public static final String SINK_PORT = "SPENDSTREAM_SINK_HTTP_PORT";
    public static final String PARTITIONS = "SPENDSTREAM_TOPIC_PARTITIONS";
    public static final String EXTERNAL_KAFKA = "SPENDSTREAM_LOCAL_EXTERNAL_KAFKA";

    public static LocalConfig from(Settings s) {
        return new LocalConfig(
                s.path(DATA_DIR, Path.of("data")).toAbsolutePath().normalize(),
                s.integer(HTTP_PORT, 8080, 0, 65535),
                s.integer(KAFKA_PORT, 9092, 1, 65535),
                s.integer(KAFKA_CONTROLLER_PORT, 9093, 1, 65535),
                s.integer(REGISTRY_PORT, 8081, 1, 65535),
                s.integer(PROCESSOR_PORT, 8083, 0, 65535),
                s.integer(SINK_PORT, 8084, 0, 65535),
                s.integer(PARTITIONS, 3, 1, 1000),
                s.string(EXTERNAL_KAFKA, null));
    }

    /**
     * The settings that put a local pipeline's data in {@code dataDir} and every port of it on a free
     * loopback port: for tests and benchmarks that run next to other pipelines. The HTTP ports are 0,
     * chosen by the services as they bind (the pipeline wires them from the bound ports), so they cannot
     * be taken between choosing and binding; the broker and the registry need theirs up front.
     */
    public static Map<String, String> onFreePorts(Path dataDir) {
        int[] ports = LoopbackPorts.freePorts(3);
        return Map.of(DATA_DIR, dataDir.toString(),
                HTTP_PORT, "0",
                KAFKA_PORT, Integer.toString(ports[0]),
                KAFKA_CONTROLLER_PORT, Integer.toString(ports[1]),
                REGISTRY_PORT, Integer.toString(ports[2]),
                PROCESSOR_PORT, "0",
                SINK_PORT, "0",
                io.spendstream.notifier.NotifierConfig.HTTP_PORT, "0");
    }

    public static List<String> keys() {
        Settings probe = Settings.of(Map.of());
        from(probe);
        return probe.keysRead().stream().toList();
    }
}
