package io.spendstream.chdb;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Finds libchdb.so: the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else the cache the build fills ({@code $SPENDSTREAM_CACHE} or
 * {@code ~/.cache/spendstream}, then {@code chdb/<version>/libchdb.so}).
 */
public final class LibchdbLocator {
    public static final String PROPERTY = "spendstream.libchdb";
    public static final String ENV = "SPENDSTREAM_LIBCHDB";

    private LibchdbLocator() {}

    /** The pinned libchdb version this binding was built and tested with. */
    public static String pinnedVersion() {
        try (InputStream in = LibchdbLocator.class.getResourceAsStream("libchdb.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path locate() {
        String explicit = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p)) {
                throw new ChdbException(source + "=" + explicit + " does not name a file");
            }
            return p;
        }
        String cacheRoot = System.getenv("SPENDSTREAM_CACHE");
        Path cache = cacheRoot != null && !cacheRoot.isBlank()
                ? Path.of(cacheRoot)
                : Path.of(System.getProperty("user.home"), ".cache", "spendstream");
        Path p = cache.resolve("chdb").resolve(pinnedVersion()).resolve("libchdb.so");
        if (!Files.isRegularFile(p)) {
            throw new ChdbException("libchdb.so not found at " + p + ": run the build once (it fetches it with npm,"
                    + " see chdb/fetch-libchdb.sh) or set " + ENV + " / -D" + PROPERTY + " to an existing libchdb.so");
        }
        return p;
    }
}
