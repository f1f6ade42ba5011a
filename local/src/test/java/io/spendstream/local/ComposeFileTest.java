package io.spendstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.spendstream.ingest.IngestConfig;
import io.spendstream.processor.StreamProcessorConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of docker-compose.yml and the services' Dockerfiles without Docker: every
 * SPENDSTREAM_* variable set is one the service reads, every build input exists in the repository,
 * and the compose file is consistent (dependencies, volumes, health checks).
 */
class ComposeFileTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Path ROOT = repositoryRoot();
    private static final JsonNode COMPOSE = read(ROOT.resolve("docker-compose.yml"));

    @Test
    void shouldOnlySetVariablesTheIngestApiReads() {
        assertThat(unknownVariables(COMPOSE, "ingest-api", IngestConfig.keys()))
                .as("SPENDSTREAM_* variables docker-compose.yml sets for ingest-api that IngestConfig does not read")
                .isEmpty();
    }

    @Test
    void shouldOnlySetVariablesTheStreamProcessorReads() {
        assertThat(unknownVariables(COMPOSE, "stream-processor", StreamProcessorConfig.keys()))
                .as("SPENDSTREAM_* variables docker-compose.yml sets for stream-processor that StreamProcessorConfig"
                        + " does not read")
                .isEmpty();
    }

    @Test
    void shouldOnlySetVariablesTheSinkKnows() {
        assertThat(unknownVariables(COMPOSE, "sink-clickhouse", io.spendstream.sink.SinkConfig.keys()))
                .as("SPENDSTREAM_* variables docker-compose.yml sets for sink-clickhouse that SinkConfig does not read")
                .isEmpty();
    }

    @Test
    void shouldOnlySetVariablesTheNotifierReads() {
        assertThat(unknownVariables(COMPOSE, "notifier", io.spendstream.notifier.NotifierConfig.keys()))
                .as("SPENDSTREAM_* variables docker-compose.yml sets for notifier that NotifierConfig does not read")
                .isEmpty();
    }

    @Test
    void shouldReportAVariableTheServiceDoesNotRead() {
        JsonNode misspelled = parse("""
                services:
                  ingest-api:
                    environment:
                      SPENDSTREAM_KAFKA_BOOTSTRAP_SERVER: kafka:9092
                      SPENDSTREAM_HTTP_PORT: "8080"
                      OTHER: ignored
                """);
        assertThat(unknownVariables(misspelled, "ingest-api", IngestConfig.keys()))
                .containsExactly("SPENDSTREAM_KAFKA_BOOTSTRAP_SERVER");
        JsonNode listForm = parse("""
                services:
                  ingest-api:
                    environment:
                      - SPENDSTREAM_HTTP_PORTS=8080
                """);
        assertThat(unknownVariables(listForm, "ingest-api", IngestConfig.keys()))
                .containsExactly("SPENDSTREAM_HTTP_PORTS");
    }

    @Test
    void shouldBuildEveryRepositoryServiceFromADockerfileThatExists() {
        Map<String, Path> dockerfiles = dockerfiles();
        assertThat(dockerfiles.keySet()).as("services built from this repository")
                .containsExactlyInAnyOrder("ingest-api", "stream-processor", "sink-clickhouse", "notifier");
        dockerfiles.forEach((service, dockerfile) ->
                assertThat(dockerfile).as("Dockerfile of " + service).isRegularFile());
    }

    @Test
    void shouldCopyOnlyPathsThatExistInTheRepository() {
        dockerfiles().forEach((service, dockerfile) -> {
            Path context = buildContext(service);
            for (String source : copySources(dockerfile)) {
                assertThat(context.resolve(source)).as(dockerfile + ": COPY source " + source).exists();
            }
        });
    }

    @Test
    void shouldBuildAReactorModuleAndStartAMainClassOfIt() {
        List<String> modules = reactorModules();
        dockerfiles().forEach((service, dockerfile) -> {
            JsonNode args = COMPOSE.path("services").path(service).path("build").path("args");
            String module = args.path("MODULE").asText(null);
            String mainClass = args.path("MAIN_CLASS").asText(null);
            assertThat(module).as(service + ": build arg MODULE").isNotNull().isIn(modules);
            assertThat(mainClass).as(service + ": build arg MAIN_CLASS").isNotNull();
            assertThat(ROOT.resolve(module).resolve("src/main/java").resolve(mainClass.replace('.', '/') + ".java"))
                    .as(service + ": main class " + mainClass + " in " + module + "/src/main/java")
                    .isRegularFile();
            assertThat(args.path("PORT").asText("")).as(service + ": build arg PORT").matches("\\d+");
        });
    }

    @Test
    void shouldStartTheMainClassGivenByTheBuildArgument() {
        dockerfiles().values().stream().distinct().forEach(dockerfile -> {
            List<String> entrypoint = entrypoint(dockerfile);
            assertThat(String.join(" ", entrypoint)).as(dockerfile + ": ENTRYPOINT")
                    .contains("exec java").contains("$APP_MAIN_CLASS");
            assertThat(instructions(dockerfile)).as(dockerfile + " builds the module of its MODULE argument")
                    .anyMatch(i -> i.startsWith("RUN ") && i.contains("-pl \"${MODULE}\" -am"))
                    .anyMatch(i -> i.startsWith("ENV ") && i.contains("APP_MAIN_CLASS=${MAIN_CLASS}"));
        });
    }

    @Test
    void shouldDependOnlyOnDefinedServices() {
        Set<String> services = names(COMPOSE.path("services"));
        COMPOSE.path("services").properties().forEach(service -> {
            JsonNode dependsOn = service.getValue().path("depends_on");
            Collection<String> targets = dependsOn.isArray() ? texts(dependsOn) : names(dependsOn);
            assertThat(services).as(service.getKey() + " depends_on").containsAll(targets);
        });
    }

    @Test
    void shouldDeclareEveryNamedVolumeItMounts() {
        Set<String> declared = names(COMPOSE.path("volumes"));
        Set<String> used = new TreeSet<>();
        COMPOSE.path("services").properties().forEach(service -> {
            for (JsonNode mount : service.getValue().path("volumes")) {
                String source = mount.isTextual() ? mount.asText().split(":", 2)[0] : mount.path("source").asText("");
                boolean named = mount.isTextual() ? !source.isEmpty() && !source.startsWith(".")
                        && !source.startsWith("/") && !source.startsWith("~") && !source.startsWith("$")
                        : "volume".equals(mount.path("type").asText());
                if (named) {
                    used.add(source);
                }
            }
        });
        assertThat(used).as("named volumes the services mount").isNotEmpty();
        assertThat(declared).as("top-level volumes of docker-compose.yml").containsAll(used);
    }

    @Test
    void shouldGiveEveryServiceAHealthcheck() {
        COMPOSE.path("services").properties().forEach(service -> {
            JsonNode healthcheck = service.getValue().path("healthcheck");
            assertThat(healthcheck.path("disable").asBoolean(false)).as(service.getKey() + " healthcheck disabled")
                    .isFalse();
            assertThat(healthcheck.path("test").isEmpty() && healthcheck.path("test").asText("").isEmpty())
                    .as(service.getKey() + " has a healthcheck test").isFalse();
        });
    }

    // --- the compose file -------------------------------------------------------------------------------

    /** The SPENDSTREAM_* variables a service sets that are not in {@code known}, sorted. */
    static List<String> unknownVariables(JsonNode compose, String service, Collection<String> known) {
        JsonNode s = compose.path("services").path(service);
        assertThat(s.isMissingNode()).as("service " + service + " in docker-compose.yml").isFalse();
        List<String> unknown = new ArrayList<>();
        for (String name : environmentNames(s.path("environment"))) {
            if (name.startsWith("SPENDSTREAM_") && !known.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    private static Set<String> environmentNames(JsonNode environment) {
        if (!environment.isArray()) {
            return names(environment);
        }
        Set<String> names = new TreeSet<>();
        for (JsonNode entry : environment) {
            names.add(entry.asText().split("=", 2)[0].trim());
        }
        return names;
    }

    /** Service name to its Dockerfile, for the services built from this repository. */
    private static Map<String, Path> dockerfiles() {
        Map<String, Path> result = new LinkedHashMap<>();
        COMPOSE.path("services").properties().forEach(service -> {
            JsonNode build = service.getValue().path("build");
            if (!build.isMissingNode()) {
                String dockerfile = build.isTextual() ? "Dockerfile" : build.path("dockerfile").asText("Dockerfile");
                result.put(service.getKey(), buildContext(service.getKey()).resolve(dockerfile).normalize());
            }
        });
        return result;
    }

    private static Path buildContext(String service) {
        JsonNode build = COMPOSE.path("services").path(service).path("build");
        String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
        Path path = ROOT.resolve(context).normalize();
        assertThat(path).as("build context of " + service).isDirectory();
        return path;
    }

    // --- Dockerfiles ----------------------------------------------------------------------------------

    /** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
    private static List<String> instructions(Path dockerfile) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : readLines(dockerfile)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            result.add(current.toString().strip());
            current.setLength(0);
        }
        if (!current.isEmpty()) {
            result.add(current.toString().strip());
        }
        return result;
    }

    /** Sources of the COPY/ADD instructions that read the build context (not another stage). */
    private static List<String> copySources(Path dockerfile) {
        List<String> sources = new ArrayList<>();
        for (String instruction : instructions(dockerfile)) {
            String[] words = instruction.split("\\s+");
            String keyword = words[0].toUpperCase();
            if (!keyword.equals("COPY") && !keyword.equals("ADD")) {
                continue;
            }
            List<String> args = new ArrayList<>();
            boolean fromStage = false;
            for (int i = 1; i < words.length; i++) {
                if (words[i].startsWith("--")) {
                    fromStage |= words[i].startsWith("--from=");
                } else {
                    args.add(words[i]);
                }
            }
            assertThat(args).as(dockerfile + ": " + instruction).hasSizeGreaterThanOrEqualTo(2);
            if (!fromStage) {
                sources.addAll(args.subList(0, args.size() - 1));
            }
        }
        assertThat(sources).as(dockerfile + " copies from the build context").isNotEmpty();
        return sources;
    }

    /** The exec-form ENTRYPOINT of the last stage. */
    private static List<String> entrypoint(Path dockerfile) {
        String last = null;
        for (String instruction : instructions(dockerfile)) {
            if (instruction.regionMatches(true, 0, "ENTRYPOINT ", 0, 11)) {
                last = instruction.substring(11).strip();
            }
        }
        assertThat(last).as(dockerfile + " has an ENTRYPOINT").isNotNull();
        try {
            return JSON.readValue(last, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new AssertionError(dockerfile + ": ENTRYPOINT is not a JSON array (exec form): " + last, e);
        }
    }

    private static List<String> reactorModules() {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(String.join("\n", readLines(ROOT.resolve("pom.xml"))));
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1).strip());
        }
        return modules;
    }

    // --- helpers ---------------------------------------------------------------------------------------

    /**
     * docker/clickhouse-cluster: two replicas and a Keeper. Every mounted config file exists, both replicas
     * mount the cluster named in the docs with distinct replica macros, and the replicas wait for Keeper.
     */
    @Test
    void shouldDescribeAClusterOfTwoReplicasAndAKeeperWithTheConfigTheyMount() throws IOException {
        Path dir = ROOT.resolve("docker/clickhouse-cluster");
        JsonNode cluster = read(dir.resolve("docker-compose.yml"));
        JsonNode services = cluster.get("services");
        assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("keeper", "clickhouse-1", "clickhouse-2");
        Set<String> replicas = new TreeSet<>();
        for (String name : List.of("keeper", "clickhouse-1", "clickhouse-2")) {
            for (JsonNode volume : services.get(name).get("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    Path file = dir.resolve(source.substring(2));
                    assertThat(file).as(name + " mounts " + source).isRegularFile();
                    Matcher replica = Pattern.compile("<replica>([^<]+)</replica>").matcher(Files.readString(file));
                    if (source.startsWith("./macros")) {
                        assertThat(replica.find()).as(source).isTrue();
                        replicas.add(replica.group(1));
                    }
                }
            }
        }
        assertThat(replicas).as("each server its own {replica} macro").containsExactly("clickhouse-1", "clickhouse-2");
        assertThat(services.get("clickhouse-1").get("depends_on").has("keeper")).isTrue();
        String remoteServers = Files.readString(dir.resolve("cluster.xml"));
        assertThat(remoteServers).contains("<spendstream>", "<host>clickhouse-1</host>", "<host>clickhouse-2</host>",
                "<host>keeper</host>", "<internal_replication>true</internal_replication>");
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new AssertionError("no docker-compose.yml next to mvnw above " + Path.of("").toAbsolutePath());
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    private static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
