package io.spendstream.processor.pricing;

import io.spendstream.pricing.Catalog;
import io.spendstream.pricing.CatalogFile;
import io.spendstream.schema.ModelPrice;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The seed price catalog: the resource prices/model-prices.json of the pricing module (generated
 * from @pydantic/genai-prices, see tools/prices/README.md), or a file named by configuration, in
 * either catalog format {@link CatalogFile} reads.
 */
public final class SeedCatalog {
    public static final String RESOURCE = CatalogFile.SEED_RESOURCE;

    private SeedCatalog() {}

    /** The catalog's price entries; {@code file} null: the shipped resource. */
    public static List<ModelPrice> load(Path file) {
        return loadCatalog(file).prices();
    }

    /** The whole catalog, provider rules included; {@code file} null: the shipped resource. */
    public static Catalog loadCatalog(Path file) {
        return CatalogFile.load(file);
    }

    static List<ModelPrice> parse(byte[] json, String source) {
        return CatalogFile.read(json, source).prices();
    }
}
