package io.spendstream.sink.schema;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One versioned migration: {@code V<version>__<name>.sql}. Its checksum is the SHA-256 of the file
 * text, so an edit to an applied migration is detected. Statements are separated by a line that
 * ends with {@code ;}; {@code ${database}} is replaced with the configured database.
 */
public record Migration(int version, String name, String sql, String checksum) {
    private static final Pattern FILE = Pattern.compile("V(\\d{3,})__([A-Za-z0-9_]+)\\.sql");

    public static Migration parse(String fileName, String sql) {
        Matcher m = FILE.matcher(fileName);
        if (!m.matches()) {
            throw new MigrationException("migration file " + fileName + " is not named V<NNN>__<name>.sql");
        }
        return new Migration(Integer.parseInt(m.group(1)), m.group(2), sql, sha256(sql));
    }

    /** The statements with the database filled in; comment-only chunks are dropped. */
    public List<String> statements(String database) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                add(out, current, database);
                current.setLength(0);
            }
        }
        add(out, current, database);
        return out;
    }

    private static void add(List<String> out, StringBuilder chunk, String database) {
        String s = chunk.toString().strip();
        if (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        if (!s.isEmpty()) {
            out.add(s.replace("${database}", database));
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
