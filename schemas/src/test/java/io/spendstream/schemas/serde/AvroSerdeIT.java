package io.spendstream.schemas.serde;

import static io.spendstream.schemas.serde.KafkaRegistryFixtures.JSON;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.consume;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.events;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.kafka;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.latestId;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.newClient;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.produce;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.registryGet;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.toGeneric;
import static io.spendstream.schemas.serde.KafkaRegistryFixtures.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.schema.UsageEvent;
import io.spendstream.schemas.SchemaChanges;
import io.spendstream.schemas.compat.SchemaCompatibilityCheck;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryException.IncompatibleSchemaException;
import io.spendstream.schemas.registry.SchemaRegistryException.UnknownSchemaIdException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AvroSerde against a real KRaft broker and a real registry (Apicurio 2.4.2 through its Confluent API):
 * the wire format, schema evolution, and the errors a user sees.
 */
class AvroSerdeIT {
    /** Fields of UsageEvent that have defaults; an older version of the schema without them is readable by the current one. */
    private static final Set<String> FIELDS_NOT_IN_OLD_VERSION = Set.of("tags", "metadata", "api_key_id", "event_id_assigned");

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafkaAndRegistry() {
        kafka();
        KafkaRegistryFixtures.registry();
    }

    @Test
    void shouldProduceAndConsumeAvroThroughTheRegistryOnTheBroker() {
        String topic = uniqueTopic("avro-roundtrip");
        kafka().createTopic(topic, 3);
        List<UsageEvent> sent = events(500);

        produce(topic, AvroSerde.specific(UsageEvent.class, newClient(), false), sent, UsageEvent::getOrgId);

        // Read with a serde on a new client: the writer schema must come from the registry by id.
        List<ConsumerRecord<String, UsageEvent>> received =
                consume(topic, AvroSerde.specific(UsageEvent.class, newClient(), false), sent.size());
        assertThat(received).map(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(received).allSatisfy(r -> assertThat(r.key()).isEqualTo(r.value().getOrgId()));
        // Keyed by org: each org's events keep their order (one partition per org).
        Map<String, List<String>> sentPerOrg = sent.stream().collect(Collectors.groupingBy(UsageEvent::getOrgId,
                Collectors.mapping(UsageEvent::getEventId, Collectors.toList())));
        Map<String, List<String>> receivedPerOrg = received.stream().map(ConsumerRecord::value).collect(Collectors.groupingBy(
                UsageEvent::getOrgId, Collectors.mapping(UsageEvent::getEventId, Collectors.toList())));
        assertThat(receivedPerOrg).isEqualTo(sentPerOrg);

        // The bytes on the broker: magic 0, then the id the registry has for <topic>-value.
        int registeredId = latestId(topic + "-value");
        assertThat(registeredId).isPositive();
        List<ConsumerRecord<String, byte[]>> raw = consume(topic, new ByteArrayDeserializer(), sent.size());
        assertThat(raw).allSatisfy(r -> {
            assertThat(r.value()[0]).isEqualTo(AvroSerde.MAGIC_BYTE);
            assertThat(ByteBuffer.wrap(r.value(), 1, 4).getInt()).isEqualTo(registeredId);
        });
        assertThat(registryGet("/subjects/" + topic + "-value/versions")).hasSize(1);
    }

    @Test
    void shouldReadOldRecordsWithANewerCompatibleReaderSchema() throws Exception {
        String topic = uniqueTopic("avro-evolution");
        kafka().createTopic(topic, 2);
        Schema oldSchema = usageEventWithout(FIELDS_NOT_IN_OLD_VERSION);
        assertThat(oldSchema.getFields()).hasSize(UsageEvent.getClassSchema().getFields().size() - 4);
        List<UsageEvent> events = events(50);
        List<GenericRecord> oldRecords = events.stream().map(e -> toGeneric(e, oldSchema, Map.of())).toList();

        produce(topic, AvroSerde.<GenericRecord>generic(oldSchema, newClient(), false), oldRecords,
                r -> r.get("org_id").toString());

        String subject = topic + "-value";
        SchemaRegistryClient client = newClient();
        assertThat(registryGet("/subjects/" + subject + "/versions")).hasSize(1);
        assertThat(SchemaChanges.parse(registryGet("/subjects/" + subject + "/versions/1").path("schema").asText()))
                .isEqualTo(oldSchema);
        assertThat(client.isCompatible(subject, UsageEvent.getClassSchema())).isTrue();

        List<ConsumerRecord<String, UsageEvent>> received =
                consume(topic, AvroSerde.specific(UsageEvent.class, client, false), events.size());

        // Fields the old writer had come through unchanged; the others take the reader's defaults.
        List<UsageEvent> expected = events.stream().map(e -> UsageEvent.newBuilder(e)
                .setTags(Map.of()).setMetadata(Map.of()).setApiKeyId(null).setEventIdAssigned(false).build()).toList();
        assertThat(events).anySatisfy(e -> assertThat(e.getTags()).isNotEmpty())
                .anySatisfy(e -> assertThat(e.getMetadata()).isNotEmpty())
                .anySatisfy(e -> assertThat(e.getApiKeyId()).isNotNull())
                .anySatisfy(e -> assertThat(e.getEventIdAssigned()).isTrue());
        assertThat(received).map(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(received).map(ConsumerRecord::value).allSatisfy(e -> {
            assertThat(e.getTags()).isEmpty();
            assertThat(e.getMetadata()).isEmpty();
            assertThat(e.getApiKeyId()).isNull();
            assertThat(e.getEventIdAssigned()).isFalse();
        });
        // Reading registers nothing.
        assertThat(registryGet("/subjects/" + subject + "/versions")).hasSize(1);
    }

    @Test
    void shouldRejectAnIncompatibleSchemaWithAClearErrorAndTheBuildCheckRejectsTheSameChange() {
        String topic = uniqueTopic("avro-incompatible");
        String subject = topic + "-value";
        SchemaRegistryClient client = newClient();
        int v1 = client.register(subject, UsageEvent.getClassSchema());

        String currentJson = SchemaChanges.read(SchemaChanges.CURRENT.resolve("UsageEvent.avsc"));
        String changedJson = SchemaChanges.usageEventWithRequiredField(currentJson);
        assertThat(changedJson).isNotEqualTo(currentJson).contains("\"region\"");
        Schema changed = SchemaChanges.parse(changedJson);
        assertThat(changed.getField("region")).isNotNull();

        // 1. The registry client.
        assertThatThrownBy(() -> client.register(subject, changed))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    // Apicurio 2.4.2 answers error_code 0 here; Confluent's server answers 409.
                    assertThat(e.errorCode()).isIn(0, 409);
                })
                .hasMessageContaining("incompatible")
                .hasMessageContaining(subject)
                .hasMessageContaining("region"); // the registry names the offending field too

        // 2. The serializer: Kafka's SerializationException, naming the subject.
        GenericRecord record = toGeneric(KafkaRegistryFixtures.event(1), changed, Map.of("region", "eu"));
        AvroSerde<GenericRecord> serializer = AvroSerde.generic(changed, newClient(), false);
        assertThatThrownBy(() -> serializer.serialize(topic, record))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(subject)
                .hasMessageContaining("incompatible")
                .hasCauseInstanceOf(IncompatibleSchemaException.class);

        // Nothing was registered: still one version, the original.
        JsonNode versions = registryGet("/subjects/" + subject + "/versions");
        assertThat(versions).hasSize(1);
        assertThat(latestId(subject)).isEqualTo(v1);

        // 3. The build's check rejects exactly the same change, naming the same field.
        Path current = SchemaChanges.currentWith(tmp, changedJson);
        List<String> problems = SchemaCompatibilityCheck.check(current, SchemaChanges.RELEASED);
        assertThat(problems).contains(
                "io.spendstream.schema.UsageEvent: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0: region");
    }

    @Test
    void shouldFailClearlyOnAnUnknownSchemaId() {
        String topic = uniqueTopic("avro-unknown-id");
        kafka().createTopic(topic, 1);
        byte[] bytes = {0, 0x00, 0x0F, 0x42, 0x3F, 2, 'x'}; // magic 0, schema id 999999, then some Avro
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(999_999);

        // Directly.
        AvroSerde<UsageEvent> serde = AvroSerde.specific(UsageEvent.class, newClient(), false);
        assertThatThrownBy(() -> serde.deserialize(topic, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("999999")
                .hasMessageContaining(topic)
                .cause().isInstanceOfSatisfying(UnknownSchemaIdException.class,
                        e -> assertThat(e.status()).isEqualTo(404));

        // Through a consumer: poll fails at that record, with our message as the cause.
        produce(topic, new ByteArraySerializer(), List.of(bytes), b -> "k");
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka().bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                AvroSerde.specific(UsageEvent.class, newClient(), false))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) { // the first polls may return nothing yet
                    consumer.poll(Duration.ofMillis(200));
                }
            })
                    .isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
                        assertThat(e.topicPartition()).isEqualTo(tp);
                        assertThat(e.offset()).isZero();
                    })
                    .cause().isInstanceOf(SerializationException.class).hasMessageContaining("999999");
        }
    }

    /**
     * Several instances writing a new topic's first records at once register the same schema under the
     * same new subject concurrently; Apicurio answers the losers 409 "already exists". Every writer must
     * get the one id, never an "incompatible" error (which would dead-letter a good record).
     */
    @Test
    void shouldGiveEveryConcurrentFirstRegistrationOfASubjectTheSameId() throws Exception {
        for (int round = 0; round < 5; round++) {
            String subject = uniqueTopic("avro-race") + "-value";
            int writers = 8;
            var start = new java.util.concurrent.CountDownLatch(1);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
                List<java.util.concurrent.Future<Integer>> ids = new java.util.ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    var client = newClient();
                    ids.add(pool.submit(() -> {
                        start.await();
                        return client.register(subject, UsageEvent.getClassSchema());
                    }));
                }
                start.countDown();
                java.util.Set<Integer> distinct = new java.util.HashSet<>();
                for (var f : ids) {
                    distinct.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
                }
                assertThat(distinct).as("round " + round).hasSize(1);
                assertThat(latestId(subject)).isEqualTo(distinct.iterator().next());
            }
        }
    }

    @Test
    void shouldGiveTheSameIdForTheSameSchemaUnderTwoSubjects() {
        String a = uniqueTopic("avro-same-id-a") + "-value";
        String b = uniqueTopic("avro-same-id-b") + "-value";

        int idA = newClient().register(a, UsageEvent.getClassSchema());
        int idB = newClient().register(b, UsageEvent.getClassSchema());

        assertThat(idA).isPositive().isEqualTo(idB);
        assertThat(latestId(a)).isEqualTo(idA);
        assertThat(latestId(b)).isEqualTo(idA);
        assertThat(SchemaChanges.parse(registryGet("/schemas/ids/" + idA).path("schema").asText()))
                .isEqualTo(UsageEvent.getClassSchema());
        // Registering it again answers the same id; other content gets another id.
        assertThat(newClient().register(a, UsageEvent.getClassSchema())).isEqualTo(idA);
        Schema other = SchemaChanges.parse(SchemaChanges.usageEventWithOptionalField(
                SchemaChanges.read(SchemaChanges.CURRENT.resolve("UsageEvent.avsc"))));
        assertThat(newClient().register(b, other)).isNotEqualTo(idA);
    }

    /** The current UsageEvent schema minus {@code fields}: an older version of it. */
    private static Schema usageEventWithout(Set<String> fields) throws Exception {
        ObjectNode json = (ObjectNode) JSON.readTree(UsageEvent.getClassSchema().toString());
        ArrayNode kept = JSON.createArrayNode();
        List<String> removed = new ArrayList<>();
        for (JsonNode f : json.get("fields")) {
            if (fields.contains(f.get("name").asText())) {
                assertThat(f.has("default")).as("%s has a default", f.get("name")).isTrue();
                removed.add(f.get("name").asText());
            } else {
                kept.add(f);
            }
        }
        assertThat(removed).containsExactlyInAnyOrderElementsOf(fields);
        json.set("fields", kept);
        return SchemaChanges.parse(json.toString());
    }
}
