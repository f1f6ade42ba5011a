package io.spendstream.ingest;

import io.spendstream.schema.ApiKey;
import io.spendstream.schema.Org;
import java.util.Optional;

/** What {@link Authenticator} needs of the key table: a key by its hash, and its org. */
public interface KeyLookup {
    Optional<ApiKey> byHash(byte[] sha256);

    Optional<Org> org(String orgId);
}
