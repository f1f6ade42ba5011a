package io.spendstream.ingest;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The format of {@code SPENDSTREAM_ADMIN_TOKENS_FILE}: one {@code name:token} per line; blank lines and lines
 * starting with {@code #} are ignored. Names are what the logs show of an admin action; tokens are at least 16
 * characters without whitespace. A name or a token twice is an error (a shared token would log the wrong name).
 * Errors name the line, never the token.
 */
final class AdminTokenFile {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MIN_TOKEN_LENGTH = 16;

    /** A named admin token. */
    record AdminToken(String name, String token) {
        @Override
        public String toString() { // never print the token
            return "AdminToken[" + name + "]";
        }
    }

    /** The file is not valid; the message says which line and why. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private AdminTokenFile() {}

    /**
     * @param alreadyNamed tokens configured elsewhere (the {@code default} one), which the file must not repeat
     */
    static List<AdminToken> parse(String content, List<AdminToken> alreadyNamed) throws Invalid {
        List<AdminToken> out = new ArrayList<>(alreadyNamed);
        Set<String> names = new HashSet<>();
        Set<ByteBuffer> hashes = new HashSet<>();
        alreadyNamed.forEach(t -> {
            names.add(t.name());
            hashes.add(ByteBuffer.wrap(ApiKeys.sha256(t.token())));
        });
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = "line " + (i + 1) + ": ";
            if (colon < 0) {
                throw new Invalid(where + "expected name:token");
            }
            String name = line.substring(0, colon).strip();
            String token = line.substring(colon + 1).strip();
            if (!NAME.matcher(name).matches()) {
                throw new Invalid(where + "the name must be 1 to 64 letters, digits, '.', '_' or '-'");
            }
            if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(Character::isWhitespace)) {
                throw new Invalid(where + "the token of " + name + " must be at least " + MIN_TOKEN_LENGTH
                        + " characters without whitespace");
            }
            if (!names.add(name)) {
                throw new Invalid(where + "the name " + name + " is used twice");
            }
            if (!hashes.add(ByteBuffer.wrap(ApiKeys.sha256(token)))) {
                throw new Invalid(where + "the token of " + name + " is also another name's token");
            }
            out.add(new AdminToken(name, token));
        }
        return List.copyOf(out);
    }
}
