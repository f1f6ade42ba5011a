package io.spendstream.ingest.usage;

/** One token count read from a usage object, with the path it was read from (for error messages). */
record Count(String path, long value) {
    String describe() {
        return path + " (" + value + ")";
    }
}
