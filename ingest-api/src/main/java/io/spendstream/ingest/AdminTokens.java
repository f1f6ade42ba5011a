package io.spendstream.ingest;

import io.spendstream.ingest.AdminTokenFile.AdminToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin tokens that are valid now, by name: {@code SPENDSTREAM_ADMIN_TOKEN} as {@code default}, plus those of
 * {@code SPENDSTREAM_ADMIN_TOKENS_FILE} ({@link AdminTokenFile}). The file is re-read by {@link #reload()} (every
 * {@link #RELOAD_INTERVAL_SECONDS} s) and takes effect when its content changed, so a token is added or retired
 * without a restart. A file that cannot be read or parsed at start-up stops the start; later, the tokens in force
 * stay in force and the error is logged, so a bad edit never locks every operator out.
 */
final class AdminTokens {
    static final int RELOAD_INTERVAL_SECONDS = 2;
    static final String DEFAULT_NAME = "default";
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);

    /** A token as compared: only its SHA-256 is kept. */
    private record Entry(String name, byte[] sha256) {}

    private final List<AdminToken> fixed;
    private final Path file;
    private volatile List<Entry> entries;
    private volatile byte[] fileHash;

    /** @param file the tokens file, or null for only {@code fixedToken}; @param fixedToken null when unset */
    AdminTokens(String fixedToken, Path file) {
        this.fixed = fixedToken == null ? List.of() : List.of(new AdminToken(DEFAULT_NAME, fixedToken));
        this.file = file;
        this.entries = entries(fixed);
        if (file != null) {
            try {
                load(Files.readAllBytes(file));
            } catch (IOException | AdminTokenFile.Invalid e) {
                throw new IllegalStateException(IngestConfig.ADMIN_TOKENS_FILE + " " + file + ": " + reason(e), e);
            }
        }
    }

    /** True when at least one token is configured; otherwise the admin API is disabled. */
    boolean enabled() {
        return !entries.isEmpty();
    }

    /**
     * The name of the token presented, or empty. Every token is compared, in constant time each, so the timing
     * tells neither which token matched nor how much of one did.
     */
    Optional<String> nameOf(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] hash = ApiKeys.sha256(presented);
        String match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.sha256(), hash) && match == null) {
                match = e.name();
            }
        }
        return Optional.ofNullable(match);
    }

    /** Re-reads the file and applies it when its content changed; true when the tokens changed. */
    boolean reload() {
        if (file == null) {
            return false;
        }
        try {
            return load(Files.readAllBytes(file));
        } catch (IOException | AdminTokenFile.Invalid e) {
            LOG.error("{} {} not applied, the previous admin tokens stay in force: {}", IngestConfig.ADMIN_TOKENS_FILE,
                    file, reason(e));
            return false;
        }
    }

    /** An I/O failure's message alone is often just the path (NoSuchFileException): name its kind too. */
    private static String reason(Exception e) {
        return e instanceof IOException ? e.toString() : e.getMessage();
    }

    private synchronized boolean load(byte[] content) throws AdminTokenFile.Invalid {
        byte[] hash = ApiKeys.sha256(content);
        if (Arrays.equals(hash, fileHash)) {
            return false;
        }
        List<AdminToken> tokens = AdminTokenFile.parse(new String(content, StandardCharsets.UTF_8), fixed);
        entries = entries(tokens);
        fileHash = hash;
        LOG.info("admin tokens from {}: {}", file, tokens.stream().map(AdminToken::name).toList());
        return true;
    }

    private static List<Entry> entries(List<AdminToken> tokens) {
        return tokens.stream().map(t -> new Entry(t.name(), ApiKeys.sha256(t.token()))).toList();
    }
}
