package io.spendstream.ingest;

import static io.spendstream.ingest.IngestApiIT.assertProblem;
import static io.spendstream.ingest.IngestFixture.get;
import static io.spendstream.ingest.IngestFixture.json;
import static io.spendstream.ingest.IngestFixture.send;
import static io.spendstream.ingest.IngestFixture.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.spendstream.embedded.KafkaTestCluster;
import io.spendstream.schema.Budget;
import io.spendstream.schema.BudgetPeriod;
import io.spendstream.schema.BudgetScope;
import io.spendstream.schemas.registry.SchemaRegistryClient;
import io.spendstream.schemas.registry.SchemaRegistryConfig;
import io.spendstream.schemas.topics.OrgPartitioning;
import io.spendstream.schemas.topics.Topics;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The budget API against a real broker and registry: its contract, the records it writes (Avro, in the
 * org's partition of a 3-partition topic, tombstones on delete), isolation between orgs, the table that a
 * later instance reads from the topic, and the status routes' wiring to the stream processor's URL.
 */
class BudgetApiIT {
    static final int PARTITIONS = 3;
    static final int MAX_BUDGETS = 3;
    static final String FULL = "{\"scope\":\"feature\",\"scope_value\":\"support-chat\",\"period\":\"month\","
            + "\"time_zone\":\"Europe/Berlin\",\"limit_usd\":\"100\",\"thresholds_percent\":[50,90],\"enabled\":true}";

    static IngestConfig config;
    static IngestApi api;
    static int port;
    static String acme;
    static String globex;
    static HttpServer processor;
    static final List<String> processorPaths = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // Stands in for the stream processor's status port, to check what the status routes forward.
        processor = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        processor.createContext("/", ex -> {
            processorPaths.add(ex.getRequestURI().getRawPath());
            byte[] body = "{\"from\":\"processor\"}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        processor.start();
        config = IngestFixture.config(KafkaTestCluster.shared().bootstrapServers(), "budgets", Map.of(
                IngestConfig.PARTITIONS, Integer.toString(PARTITIONS),
                IngestConfig.MAX_BUDGETS, Integer.toString(MAX_BUDGETS),
                IngestConfig.PROCESSOR_URL, "http://127.0.0.1:" + processor.getAddress().getPort() + "/"));
        api = IngestFixture.startReady(config);
        port = api.port();
        acme = IngestFixture.orgAndKey(api, "acme");
        globex = IngestFixture.orgAndKey(api, "globex");
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (processor != null) {
            processor.stop(0);
        }
    }

    static HttpResponse<String> put(String key, String budgetId, String body) {
        return withKey(port, key, "PUT", "/v1/budgets/" + budgetId, body);
    }

    @Test
    void shouldCreateReadListReplaceAndDeleteABudget() throws Exception {
        HttpResponse<String> created = put(acme, "lifecycle", FULL);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/budgets/lifecycle");
        JsonNode b = json(created.body());
        assertThat(b.get("budget_id").asText()).isEqualTo("lifecycle");
        assertThat(b.get("org_id").asText()).isEqualTo("acme");
        assertThat(b.get("scope").asText()).isEqualTo("feature");
        assertThat(b.get("scope_value").asText()).isEqualTo("support-chat");
        assertThat(b.get("period").asText()).isEqualTo("month");
        assertThat(b.get("time_zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(b.get("limit_usd").asText()).isEqualTo("100.000000000");
        assertThat(b.get("thresholds_percent").toString()).isEqualTo("[50,90]");
        assertThat(b.get("enabled").asBoolean()).isTrue();
        Instant createdAt = Instant.parse(b.get("created_at").asText());
        assertThat(createdAt).isAfter(Instant.now().minusSeconds(60));
        assertThat(b.get("updated_at").asText()).isEqualTo(b.get("created_at").asText());

        HttpResponse<String> read = withKey(port, acme, "GET", "/v1/budgets/lifecycle", null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(json(read.body())).isEqualTo(b);
        JsonNode list = json(withKey(port, acme, "GET", "/v1/budgets", null).body()).get("budgets");
        assertThat(list.findValuesAsText("budget_id")).contains("lifecycle");

        Thread.sleep(5); // so that updated_at is a later millisecond
        HttpResponse<String> replaced = put(acme, "lifecycle", "{\"scope\":\"ORG\",\"period\":\"Day\","
                + "\"limit_usd\":12.345678901,\"enabled\":false}");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(replaced.headers().firstValue("Location")).isEmpty();
        JsonNode r = json(replaced.body());
        assertThat(r.get("created_at").asText()).isEqualTo(b.get("created_at").asText());
        assertThat(Instant.parse(r.get("updated_at").asText())).isAfter(createdAt);
        assertThat(r.get("scope").asText()).isEqualTo("org");
        assertThat(r.get("scope_value").isNull()).isTrue();
        assertThat(r.get("period").asText()).isEqualTo("day");
        assertThat(r.get("time_zone").asText()).isEqualTo("UTC");
        assertThat(r.get("limit_usd").asText()).isEqualTo("12.345678901");
        assertThat(r.get("thresholds_percent").toString()).isEqualTo("[50,80,100]");
        assertThat(r.get("enabled").asBoolean()).isFalse();
        assertThat(json(withKey(port, acme, "GET", "/v1/budgets/lifecycle", null).body())).isEqualTo(r);

        HttpResponse<String> deleted = withKey(port, acme, "DELETE", "/v1/budgets/lifecycle", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertProblem(withKey(port, acme, "GET", "/v1/budgets/lifecycle", null), 404, "not-found");
        assertProblem(withKey(port, acme, "DELETE", "/v1/budgets/lifecycle", null), 404, "not-found");
        assertThat(json(withKey(port, acme, "GET", "/v1/budgets", null).body()).get("budgets")
                .findValuesAsText("budget_id")).doesNotContain("lifecycle");
    }

    @Test
    void shouldListTheOrgsBudgetsSortedByBudgetId() {
        String org = "sorted";
        String key = IngestFixture.orgAndKey(api, org);
        for (String id : List.of("b-2", "a-1", "C-0")) {
            assertThat(put(key, id, "{\"scope\":\"org\",\"period\":\"week\",\"limit_usd\":\"5\"}").statusCode())
                    .isEqualTo(201);
        }
        JsonNode list = json(withKey(port, key, "GET", "/v1/budgets", null).body()).get("budgets");
        assertThat(list.findValuesAsText("budget_id")).containsExactly("C-0", "a-1", "b-2");
        assertThat(list.findValuesAsText("org_id")).containsOnly(org);
    }

    @Test
    void shouldWriteTheBudgetAsAvroInItsOrgsPartitionAndDeleteItWithATombstoneThere() throws Exception {
        String org = "acme";
        int orgPartition = OrgPartitioning.partitionOf(org, PARTITIONS);
        // A budget id whose whole key the default partitioner would put elsewhere: only the org may decide.
        String budgetId = IntStream.range(0, 100).mapToObj(i -> "placed-" + i).filter(id -> Utils.toPositive(
                        Utils.murmur2(OrgPartitioning.budgetKey(org, id).getBytes(StandardCharsets.UTF_8))) % PARTITIONS
                        != orgPartition).findFirst().orElseThrow();
        String key = OrgPartitioning.budgetKey(org, budgetId);
        try (Admin admin = KafkaTestCluster.shared().admin()) {
            assertThat(admin.describeTopics(List.of(config.budgetsTopic())).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(config.budgetsTopic()).partitions()).hasSize(PARTITIONS);
        }

        assertThat(put(acme, budgetId, FULL).statusCode()).isEqualTo(201);
        ConsumerRecord<String, Budget> written = readBudgets(recs -> recs.stream()
                .anyMatch(x -> x.key().equals(key))).stream().filter(x -> x.key().equals(key)).findFirst().orElseThrow();
        assertThat(written.partition()).isEqualTo(orgPartition);
        Budget b = written.value();
        assertThat(b.getOrgId()).isEqualTo(org);
        assertThat(b.getBudgetId()).isEqualTo(budgetId);
        assertThat(b.getScope()).isEqualTo(BudgetScope.FEATURE);
        assertThat(b.getScopeValue()).isEqualTo("support-chat");
        assertThat(b.getPeriod()).isEqualTo(BudgetPeriod.MONTH);
        assertThat(b.getTimeZone()).isEqualTo("Europe/Berlin");
        assertThat(b.getLimitUsdNanos()).isEqualTo(100_000_000_000L);
        assertThat(b.getThresholdsPercent()).containsExactly(50, 90);
        assertThat(b.getEnabled()).isTrue();
        assertThat(b.getUpdatedAt()).isEqualTo(b.getCreatedAt());

        assertThat(withKey(port, acme, "DELETE", "/v1/budgets/" + budgetId, null).statusCode()).isEqualTo(204);
        List<ConsumerRecord<String, Budget>> ofKey = readBudgets(recs -> recs.stream()
                .filter(x -> x.key().equals(key)).count() >= 2).stream().filter(x -> x.key().equals(key)).toList();
        assertThat(ofKey).hasSize(2);
        ConsumerRecord<String, Budget> tombstone = ofKey.get(1);
        assertThat(tombstone.value()).isNull();
        assertThat(tombstone.partition()).isEqualTo(orgPartition);
        assertThat(tombstone.offset()).isGreaterThan(written.offset());
    }

    @Test
    void shouldNeverShowOrChangeABudgetOfAnotherOrg() {
        assertThat(put(acme, "private", FULL).statusCode()).isEqualTo(201);
        assertProblem(withKey(port, globex, "GET", "/v1/budgets/private", null), 404, "not-found");
        assertProblem(withKey(port, globex, "DELETE", "/v1/budgets/private", null), 404, "not-found");
        assertThat(json(withKey(port, globex, "GET", "/v1/budgets", null).body()).get("budgets")
                .findValuesAsText("budget_id")).doesNotContain("private");
        // the same id under the other key is the other org's own budget
        HttpResponse<String> own = put(globex, "private", "{\"scope\":\"org\",\"period\":\"day\",\"limit_usd\":\"1\"}");
        assertThat(own.statusCode()).isEqualTo(201);
        assertThat(json(own.body()).get("org_id").asText()).isEqualTo("globex");
        JsonNode mine = json(withKey(port, acme, "GET", "/v1/budgets/private", null).body());
        assertThat(mine.get("org_id").asText()).isEqualTo("acme");
        assertThat(mine.get("limit_usd").asText()).isEqualTo("100.000000000");
    }

    @Test
    void shouldServeBudgetsToAnInstanceStartedAfterTheyWereWritten() {
        String org = "later";
        String key = IngestFixture.orgAndKey(api, org);
        assertThat(put(key, "before-start", FULL).statusCode()).isEqualTo(201);
        assertThat(put(key, "deleted-before-start", FULL).statusCode()).isEqualTo(201);
        assertThat(withKey(port, key, "DELETE", "/v1/budgets/deleted-before-start", null).statusCode()).isEqualTo(204);
        try (IngestApi second = IngestFixture.startReady(config)) {
            // ready means the budget table is loaded: what was in the topic is served at once
            JsonNode list = json(withKey(second.port(), key, "GET", "/v1/budgets", null).body()).get("budgets");
            assertThat(list.findValuesAsText("budget_id")).containsExactly("before-start");
            assertThat(list.get(0)).isEqualTo(json(withKey(port, key, "GET", "/v1/budgets/before-start", null).body()));
            // and later writes through either instance reach the other through the topic
            assertThat(put(key, "from-first", FULL).statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    withKey(second.port(), key, "GET", "/v1/budgets/from-first", null).statusCode() == 200);
            assertThat(withKey(second.port(), key, "PUT", "/v1/budgets/from-second", FULL).statusCode()).isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    withKey(port, key, "GET", "/v1/budgets/from-second", null).statusCode() == 200);
            assertThat(withKey(port, key, "DELETE", "/v1/budgets/from-second", null).statusCode()).isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    withKey(second.port(), key, "GET", "/v1/budgets/from-second", null).statusCode() == 404);
        }
    }

    @Test
    void shouldAnswer400WithEveryFieldErrorNamed() {
        HttpResponse<String> r = put(acme, "invalid", "{\"scope\":\"team\",\"period\":\"day\","
                + "\"limit_usd\":\"1.0000000001\",\"colour\":\"blue\"}");
        assertProblem(r, 400, "validation-failed");
        JsonNode p = json(r.body());
        assertThat(p.get("errors").findValuesAsText("field")).containsExactly("colour", "scope", "limit_usd");
        assertThat(p.get("detail").asText()).contains("limit_usd: has more than 9 decimals");
        assertProblem(put(acme, "status", FULL), 400, "validation-failed");
        assertThat(json(put(acme, "status", FULL).body()).get("errors").get(0).get("field").asText())
                .isEqualTo("budget_id");
        assertProblem(put(acme, "bad%7Cid", FULL), 400, "validation-failed");
        assertProblem(put(acme, "invalid", "{\"scope\":"), 400, "invalid-body");
        assertProblem(send(port, "PUT", "/v1/budgets/invalid", Map.of("Authorization", "Bearer " + acme,
                "Content-Type", "text/plain"), FULL.getBytes(StandardCharsets.UTF_8)), 415, "unsupported-media-type");
        assertProblem(send(port, "PUT", "/v1/budgets/invalid", Map.of("Authorization", "Bearer " + acme,
                "Content-Type", "application/json"), new byte[70 * 1024]), 413, "payload-too-large");
        assertProblem(withKey(port, acme, "GET", "/v1/budgets/invalid", null), 404, "not-found"); // nothing written
    }

    @Test
    void shouldAnswer409WhenTheOrgAlreadyHasTheMostBudgetsAllowed() {
        String org = "capped";
        String key = IngestFixture.orgAndKey(api, org);
        String body = "{\"scope\":\"org\",\"period\":\"day\",\"limit_usd\":\"1\"}";
        for (int i = 0; i < MAX_BUDGETS; i++) {
            assertThat(put(key, "cap-" + i, body).statusCode()).isEqualTo(201);
        }
        assertProblem(put(key, "one-too-many", body), 409, "conflict");
        assertThat(put(key, "cap-0", body).statusCode()).as("replacing is not creating").isEqualTo(200);
        assertThat(put(globex, "not-capped-" + System.nanoTime(), body).statusCode()).as("the cap is per org")
                .isEqualTo(201);
        assertThat(withKey(port, key, "DELETE", "/v1/budgets/cap-1", null).statusCode()).isEqualTo(204);
        assertThat(put(key, "one-too-many", body).statusCode()).isEqualTo(201);
    }

    @Test
    void shouldRequireAnApiKeyOnEveryBudgetRoute() {
        for (String[] route : new String[][] {{"GET", "/v1/budgets"}, {"GET", "/v1/budgets/x"}, {"PUT", "/v1/budgets/x"},
                {"DELETE", "/v1/budgets/x"}, {"GET", "/v1/budgets/status"}, {"GET", "/v1/budgets/x/status"}}) {
            assertProblem(send(port, route[0], route[1], Map.of("Content-Type", "application/json"),
                    route[0].equals("PUT") ? FULL.getBytes(StandardCharsets.UTF_8) : null), 401, "unauthorized");
            assertProblem(send(port, route[0], route[1], Map.of("Authorization", "Bearer sk_wrong"), null), 401,
                    "unauthorized");
        }
        assertThat(processorPaths).noneMatch(p -> p.endsWith("/x"));
    }

    @Test
    void shouldForwardTheStatusRoutesToTheStreamProcessorForTheKeysOrg() {
        processorPaths.clear();
        HttpResponse<String> org = withKey(port, acme, "GET", "/v1/budgets/status", null);
        assertThat(org.statusCode()).isEqualTo(200);
        assertThat(org.body()).isEqualTo("{\"from\":\"processor\"}");
        HttpResponse<String> one = withKey(port, globex, "GET", "/v1/budgets/monthly/status", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(processorPaths).containsExactly("/internal/budget-status/acme",
                "/internal/budget-status/globex/monthly");
        assertThat(get(port, "/metrics").body()).contains("route=\"/v1/budgets/status\"");
    }

    @Test
    void shouldReportTheBudgetTableInReadiness() {
        HttpResponse<String> ready = get(port, "/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready.body()).get("checks").get("budget_table").asBoolean()).isTrue();
    }

    /** Every record of the budgets topic (values decoded with the registry), read until {@code done} holds. */
    static List<ConsumerRecord<String, Budget>> readBudgets(Predicate<List<ConsumerRecord<String, Budget>>> done) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        var registry = new SchemaRegistryClient(config.schemaRegistry());
        var values = Topics.BUDGETS.withName(config.budgetsTopic()).valueSerde(registry).deserializer();
        List<ConsumerRecord<String, Budget>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(config.budgetsTopic()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
                            values.deserialize(r.topic(), r.value())));
                }
            }
        }
        assertThat(done.test(out)).as("records on " + config.budgetsTopic()).isTrue();
        return out;
    }
}
