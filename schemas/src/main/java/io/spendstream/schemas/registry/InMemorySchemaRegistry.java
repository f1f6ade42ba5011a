package io.spendstream.schemas.registry;

import io.spendstream.schemas.registry.SchemaRegistryException.IncompatibleSchemaException;
import io.spendstream.schemas.registry.SchemaRegistryException.SchemaNotRegisteredException;
import io.spendstream.schemas.registry.SchemaRegistryException.UnknownSchemaIdException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry in memory for unit tests, with the Confluent semantics that matter to a serde: one id
 * per distinct schema across subjects, versions per subject, BACKWARD compatibility on register.
 */
public final class InMemorySchemaRegistry implements SchemaRegistry {
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();
    private final Map<String, List<Schema>> subjects = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(schema)) {
            if (!versions.isEmpty()) {
                Schema latest = versions.getLast();
                var result = SchemaCompatibility.checkReaderWriterCompatibility(schema, latest);
                if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                    throw new IncompatibleSchemaException(subject, result.getDescription(), 409);
                }
            }
            versions.add(schema);
        }
        return ids.computeIfAbsent(schema, s -> {
            int id = ids.size() + 1;
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        if (!subjects.getOrDefault(subject, List.of()).contains(schema)) {
            throw new SchemaNotRegisteredException(subject, "not registered", 40403);
        }
        return ids.get(schema);
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema s = schemas.get(id);
        if (s == null) {
            throw new UnknownSchemaIdException(id, "unknown id");
        }
        return s;
    }
}
