package io.spendstream.embedded;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KafkaTestClusterIT {

    @Test
    void thousandRecordsProducedWithAcksAllAndIdempotenceAreConsumedBackExactlyOnceWithReadCommitted() throws Exception {
        KafkaTestCluster kafka = KafkaTestCluster.shared();
        assertThat(KafkaTestCluster.shared()).as("shared() returns one cluster per JVM").isSameAs(kafka);
        kafka.createTopic("kit-roundtrip", 3);

        try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                acks.add(producer.send(new ProducerRecord<>("kit-roundtrip", "key-" + i, "value-" + i)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                assertThat(ack.get(30, TimeUnit.SECONDS).offset()).isGreaterThanOrEqualTo(0);
            }
        }

        List<String> values = consumeAll(kafka, "kit-roundtrip", 1000);
        assertThat(values).hasSize(1000)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 1000).mapToObj(i -> "value-" + i).toList());
    }

    @Test
    void produceFailsWhileBrokerIsStoppedAndSucceedsAfterRestartOnTheSamePortWithDataKept() throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
            kafka.createTopic("kit-restart", 1);
            String bootstrap = kafka.bootstrapServers();
            try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
                producer.send(new ProducerRecord<>("kit-restart", "k", "before-stop")).get(30, TimeUnit.SECONDS);
            }

            kafka.stopBroker();
            try (KafkaProducer<String, String> producer = producer(kafka, Map.of(
                    "delivery.timeout.ms", "2000",
                    "request.timeout.ms", "1000",
                    "linger.ms", "0",
                    "max.block.ms", "2000"))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("kit-restart", "k", "while-stopped")).get(30, TimeUnit.SECONDS))
                        .hasRootCauseInstanceOf(TimeoutException.class);
            }

            kafka.restartBroker();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
                producer.send(new ProducerRecord<>("kit-restart", "k", "after-restart")).get(30, TimeUnit.SECONDS);
            }
            assertThat(consumeAll(kafka, "kit-restart", 2)).containsExactly("before-stop", "after-restart");
        }
    }

    private static KafkaProducer<String, String> producer(KafkaTestCluster kafka, Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "acks", "all",
                "enable.idempotence", "true"));
        config.putAll(overrides);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static List<String> consumeAll(KafkaTestCluster kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers(),
                "group.id", topic + "-reader",
                "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return values.size() >= expected;
            });
            // Anything beyond the expected count would be a duplicate: poll once more to catch it.
            consumer.poll(Duration.ofMillis(500)).forEach(record -> values.add(record.value()));
        }
        return values;
    }
}
