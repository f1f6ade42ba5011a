package io.spendstream.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.spendstream.schema.DailyPriceWindow;
import io.spendstream.schema.ModelPrice;
import io.spendstream.schema.PriceRates;
import io.spendstream.schema.PriceTier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CatalogDiffTest {
    private static final Instant OLD = Instant.parse("2020-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant LATER = Instant.parse("2027-01-01T00:00:00Z");

    private static ModelPrice price(String model, Instant from, long in, long out) {
        return ModelPrice.newBuilder().setProvider("openai").setModel(model).setEffectiveFrom(from)
                .setInputPerMtokNanos(in).setOutputPerMtokNanos(out).setSource("file").build();
    }

    private static PriceRates rates(long in, long out) {
        return Rates.of(new Long[] {in, null, null, null, null, null, null, out, null, null, null});
    }

    @Test
    void shouldReportAddedChangedRemovedAndUnchangedModels() {
        List<ModelPrice> file = List.of(price("new", OLD, 1, 2), price("same", OLD, 3, 4), price("cheaper", OLD, 5, 6));
        List<ModelPrice> topic = List.of(ModelPrice.newBuilder(price("same", OLD, 3, 4)).setSource("other").build(),
                price("cheaper", OLD, 7, 6), price("gone", OLD, 1, 1));
        var d = CatalogDiff.diff(file, topic, NOW);
        assertThat(d.of(CatalogDiff.Kind.ADDED)).extracting(CatalogDiff.Change::model).containsExactly("new");
        assertThat(d.of(CatalogDiff.Kind.CHANGED)).singleElement().satisfies(c -> {
            assertThat(c.model()).isEqualTo("cheaper");
            assertThat(c.details()).containsExactly("input_per_mtok 0.000000007 -> 0.000000005");
        });
        assertThat(d.of(CatalogDiff.Kind.REMOVED)).extracting(CatalogDiff.Change::model).containsExactly("gone");
        assertThat(d.unchanged()).isEqualTo(1); // the source text alone is no change
        // Never retroactive: the file's prices in effect now, from now on. Nothing for removed models.
        assertThat(d.toPublish()).extracting(ModelPrice::getModel, ModelPrice::getEffectiveFrom)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cheaper", NOW),
                        org.assertj.core.groups.Tuple.tuple("new", NOW));
    }

    @Test
    void shouldSeeTierWindowAndMatchRuleChanges() {
        ModelPrice base = price("m", OLD, 1, 2);
        ModelPrice tiered = ModelPrice.newBuilder(base).setTiers(List.of(new PriceTier(200_000L, rates(2, 4)))).build();
        ModelPrice windowed = ModelPrice.newBuilder(base)
                .setDailyWindows(List.of(new DailyPriceWindow(3600, 7200, rates(9, 9), new ArrayList<>()))).build();
        ModelPrice matched = ModelPrice.newBuilder(base).setMatch("{\"starts_with\": \"m-\"}").build();
        assertThat(CatalogDiff.diff(List.of(tiered), List.of(base), NOW).of(CatalogDiff.Kind.CHANGED))
                .singleElement().satisfies(c -> assertThat(c.details()).containsExactly("tiers"));
        assertThat(CatalogDiff.diff(List.of(windowed), List.of(base), NOW).of(CatalogDiff.Kind.CHANGED))
                .singleElement().satisfies(c -> assertThat(c.details()).containsExactly("daily windows"));
        assertThat(CatalogDiff.diff(List.of(matched), List.of(base), NOW).of(CatalogDiff.Kind.CHANGED))
                .singleElement().satisfies(c -> assertThat(c.details()).containsExactly("match rule"));
        // The same rule written differently is the same rule.
        ModelPrice spaced = ModelPrice.newBuilder(base).setMatch("{\"starts_with\":\"m-\"}").build();
        assertThat(CatalogDiff.diff(List.of(matched), List.of(spaced), NOW).changes()).isEmpty();
    }

    @Test
    void shouldPublishFutureEntriesAsTheyAreAndThenFindNothingToDo() {
        List<ModelPrice> file = List.of(price("m", OLD, 1, 2), price("m", LATER, 3, 4));
        var first = CatalogDiff.diff(file, List.of(), NOW);
        assertThat(first.of(CatalogDiff.Kind.ADDED)).singleElement()
                .satisfies(c -> assertThat(c.details()).contains("future entry " + LATER));
        assertThat(first.toPublish()).extracting(ModelPrice::getEffectiveFrom).containsExactly(NOW, LATER);

        var second = CatalogDiff.diff(file, first.toPublish(), NOW.plusSeconds(60));
        assertThat(second.changes()).isEmpty();
        assertThat(second.toPublish()).isEmpty();
        assertThat(second.unchanged()).isEqualTo(1);
    }

    @Test
    void shouldCompareThePricesInEffectAtALaterEffectiveFrom() {
        List<ModelPrice> file = List.of(price("m", OLD, 1, 2), price("m", LATER, 3, 4));
        List<ModelPrice> topic = List.of(price("m", OLD, 1, 2));
        var d = CatalogDiff.diff(file, topic, LATER);
        assertThat(d.toPublish()).singleElement().satisfies(p -> {
            assertThat(p.getEffectiveFrom()).isEqualTo(LATER);
            assertThat(p.getInputPerMtokNanos()).isEqualTo(3);
        });
    }
}
