package io.spendstream.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.schemas.SchemaChanges;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaCompatibilityCheckTest {
    @TempDir
    Path tmp;

    private final String usageEvent = SchemaChanges.read(SchemaChanges.CURRENT.resolve("UsageEvent.avsc"));

    @Test
    void shouldPassWhenCurrentSchemasReadEveryReleasedSchema() {
        assertThat(SchemaCompatibilityCheck.check(SchemaChanges.CURRENT, SchemaChanges.RELEASED)).isEmpty();
    }

    @Test
    void shouldParseAllSchemasIncludingCrossReferences() {
        assertThat(SchemaCompatibilityCheck.parseDirectory(SchemaChanges.CURRENT).keySet())
                .contains("io.spendstream.schema.UsageEvent", "io.spendstream.schema.PricedUsageEvent",
                        "io.spendstream.schema.SpendRollup", "io.spendstream.schema.Budget",
                        "io.spendstream.schema.BudgetAlert", "io.spendstream.schema.ModelPrice",
                        "io.spendstream.schema.ApiKey", "io.spendstream.schema.Org");
    }

    @Test
    void shouldRejectNewFieldWithoutDefaultAlsoWhereTheRecordIsNested() {
        Path current = SchemaChanges.currentWith(tmp, SchemaChanges.usageEventWithRequiredField(usageEvent));
        assertThat(SchemaCompatibilityCheck.check(current, SchemaChanges.RELEASED)).containsExactlyInAnyOrder(
                "io.spendstream.schema.UsageEvent: READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0: region",
                "io.spendstream.schema.PricedUsageEvent: READER_FIELD_MISSING_DEFAULT_VALUE"
                        + " at /fields/0/type/fields/0: region");
    }

    @Test
    void shouldAcceptNewFieldWithDefault() {
        Path current = SchemaChanges.currentWith(tmp, SchemaChanges.usageEventWithOptionalField(usageEvent));
        assertThat(SchemaCompatibilityCheck.check(current, SchemaChanges.RELEASED)).isEmpty();
    }

    @Test
    void shouldRejectRemovalOfReleasedSchema() throws IOException {
        Path current = SchemaChanges.currentWith(tmp, usageEvent);
        Files.delete(current.resolve("ApiKey.avsc"));
        assertThat(SchemaCompatibilityCheck.check(current, SchemaChanges.RELEASED))
                .containsExactly("io.spendstream.schema.ApiKey: released schema was removed");
    }

    @Test
    void shouldFailTheBuildWithAReportNamingTheChange() {
        Path current = SchemaChanges.currentWith(tmp, SchemaChanges.usageEventWithRequiredField(usageEvent));
        assertThatThrownBy(() -> SchemaCompatibilityCheck.main(
                new String[] {current.toString(), SchemaChanges.RELEASED.toString()}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not backward compatible")
                .hasMessageContaining("region");
    }
}
