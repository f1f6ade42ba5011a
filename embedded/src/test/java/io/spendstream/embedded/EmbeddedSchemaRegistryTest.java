package io.spendstream.embedded;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EmbeddedSchemaRegistryTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(EmbeddedSchemaRegistry.APP_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(EmbeddedSchemaRegistry.APP_PROPERTY);
        } else {
            System.setProperty(EmbeddedSchemaRegistry.APP_PROPERTY, saved);
        }
    }

    @Test
    void missingAppFailsWithBuildInstructionsAndTheSettingItCameFrom() {
        System.setProperty(EmbeddedSchemaRegistry.APP_PROPERTY, "/nonexistent/quarkus-run.jar");

        assertThatThrownBy(() -> EmbeddedSchemaRegistry.start(0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/quarkus-run.jar")
                .hasMessageContaining(EmbeddedSchemaRegistry.APP_PROPERTY)
                .hasMessageContaining("./mvnw -pl registry-server package");
    }

    @Test
    void appIsFoundByWalkingUpFromTheWorkingDirectoryWhenNothingIsConfigured(@TempDir Path root) throws Exception {
        assumeTrue(System.getenv(EmbeddedSchemaRegistry.APP_ENV) == null, "SPENDSTREAM_REGISTRY_APP is set");
        Path app = root.resolve(EmbeddedSchemaRegistry.APP_RELATIVE_PATH);
        Files.createDirectories(app.getParent());
        Files.writeString(app, "not really a jar");
        Path workingDir = Files.createDirectories(root.resolve("stream-processor/target"));
        System.clearProperty(EmbeddedSchemaRegistry.APP_PROPERTY);

        withUserDir(workingDir, () -> assertThat(EmbeddedSchemaRegistry.locateApp()).isEqualTo(app));
    }

    @Test
    void appNotFoundAnywhereFailsNamingThePropertyAndTheEnvironmentVariable(@TempDir Path empty) {
        assumeTrue(System.getenv(EmbeddedSchemaRegistry.APP_ENV) == null, "SPENDSTREAM_REGISTRY_APP is set");
        System.clearProperty(EmbeddedSchemaRegistry.APP_PROPERTY);

        withUserDir(empty, () -> assertThatThrownBy(EmbeddedSchemaRegistry::locateApp)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(EmbeddedSchemaRegistry.APP_PROPERTY)
                .hasMessageContaining(EmbeddedSchemaRegistry.APP_ENV)
                .hasMessageContaining("./mvnw -pl registry-server package"));
    }

    private static void withUserDir(Path dir, Runnable action) {
        String userDir = System.getProperty("user.dir");
        System.setProperty("user.dir", dir.toString());
        try {
            action.run();
        } finally {
            System.setProperty("user.dir", userDir);
        }
    }
}
