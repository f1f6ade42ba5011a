package io.spendstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.ingest.AdminTokenFile.AdminToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file's format, and rotation without a restart. */
class AdminTokensTest {
    private static final String ALICE = "alice-token-0123456789";
    private static final String BOB = "bob-token-0123456789ab";

    @TempDir
    Path dir;

    @Test
    void parsesNamedTokensSkippingCommentsAndBlankLines() throws Exception {
        List<AdminToken> tokens = AdminTokenFile.parse("# operators\n\nalice:" + ALICE + "\r\n bob : " + BOB + " \n",
                List.of());
        assertThat(tokens).containsExactly(new AdminToken("alice", ALICE), new AdminToken("bob", BOB));
        assertThat(tokens.toString()).doesNotContain(ALICE);
    }

    @Test
    void refusesBadLinesNamingTheLineButNotTheToken() {
        for (String bad : List.of("alice", "alice:short", "al ice:" + ALICE, ":" + ALICE, "alice:" + ALICE + "\nalice:" + BOB,
                "alice:" + ALICE + "\nbob:" + ALICE, "default:" + BOB, "alice:has space in-0123456789")) {
            assertThatThrownBy(() -> AdminTokenFile.parse(bad, List.of(new AdminToken("default", "default-token-0123456"))))
                    .as(bad).isInstanceOf(AdminTokenFile.Invalid.class).hasMessageStartingWith("line ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ALICE).doesNotContain(BOB));
        }
    }

    @Test
    void namesTheTokenPresentedBesideTheDefaultOne() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "alice:" + ALICE + "\n");
        AdminTokens tokens = new AdminTokens("default-token-0123456", file);
        assertThat(tokens.nameOf(ALICE)).contains("alice");
        assertThat(tokens.nameOf("default-token-0123456")).contains("default");
        assertThat(tokens.nameOf(BOB)).isEmpty();
        assertThat(tokens.nameOf(null)).isEmpty();
        assertThat(new AdminTokens(null, null).enabled()).isFalse();
    }

    @Test
    void aChangedFileTakesEffectOnReloadAndABadOneKeepsTheTokensInForce() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "alice:" + ALICE + "\n");
        AdminTokens tokens = new AdminTokens(null, file);
        assertThat(tokens.reload()).as("unchanged").isFalse();

        Files.writeString(file, "bob:" + BOB + "\n"); // alice rotated out, bob in
        assertThat(tokens.reload()).isTrue();
        assertThat(tokens.nameOf(ALICE)).isEmpty();
        assertThat(tokens.nameOf(BOB)).contains("bob");

        Files.writeString(file, "bob:short\n");
        assertThat(tokens.reload()).isFalse();
        assertThat(tokens.nameOf(BOB)).contains("bob");
        Files.delete(file);
        assertThat(tokens.reload()).isFalse();
        assertThat(tokens.nameOf(BOB)).contains("bob");
    }

    @Test
    void anUnreadableOrInvalidFileStopsTheStart() throws Exception {
        assertThatThrownBy(() -> new AdminTokens(null, dir.resolve("missing")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(IngestConfig.ADMIN_TOKENS_FILE);
        Path file = dir.resolve("bad");
        Files.writeString(file, "alice\n");
        assertThatThrownBy(() -> new AdminTokens(null, file)).hasMessageContaining("line 1");
    }
}
