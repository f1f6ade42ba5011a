package io.spendstream.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EmbeddedKafkaIT {

    @TempDir
    Path dataDir;

    @Test
    void recordsSurviveCloseAndRestartOnTheSameDataDirAndPorts() throws Exception {
        int[] ports = LoopbackPorts.freePorts(2);
        int port = ports[0];
        int controllerPort = ports[1];
        List<String> produced = List.of("a", "b", "c", "d", "e");

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, controllerPort)) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("persisted", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(), "acks", "all", "enable.idempotence", "true"),
                    new StringSerializer(), new StringSerializer())) {
                for (String value : produced) {
                    producer.send(new ProducerRecord<>("persisted", value)).get(30, TimeUnit.SECONDS);
                }
            }
        }
        assertThat(dataDir.resolve("cluster.id")).exists();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port, controllerPort)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("persisted");
            }
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    "bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "persisted-reader",
                    "auto.offset.reset", "earliest",
                    "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("persisted"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        values.add(record.value());
                    }
                    return values.size() >= produced.size();
                });
            }
            assertThat(values).containsExactlyElementsOf(produced);
        }
    }

    @Test
    void startFailsWithAMessageNamingTheBrokerPortWhenItIsAlreadyBound() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(LoopbackPorts.LOOPBACK, 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, port, LoopbackPorts.freePort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("broker port")
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void startFailsWithAMessageNamingTheControllerPortWhenItIsAlreadyBound() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(LoopbackPorts.LOOPBACK, 0));
            int controllerPort = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, LoopbackPorts.freePort(), controllerPort))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + controllerPort)
                    .hasMessageContaining("controller port");
        }
    }
}
