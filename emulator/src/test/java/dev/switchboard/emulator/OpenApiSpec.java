package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's OpenAPI description ({@code shared/reference/openai-openapi.yaml}, found beside the repository) as JSON
 * schemas: any component schema validates an instance, and a union of events ({@code ResponseStreamEvent},
 * {@code RealtimeServerEvent}) maps each event type to its own schema.
 *
 * <p>The spec's known defects, corrected as it is loaded and nothing else: OpenAPI 3.0's {@code nullable: true},
 * left in 111 places of this 3.1 document where JSON Schema ignores it, is read as it is meant, as allowing null;
 * and the fields in {@link #NULL_IN_FACT} allow null, as OpenAI sends them and its own examples in the same spec show
 * them, though their schemas do not say so.
 */
final class OpenApiSpec {
    private static final String BASE = "https://spec.openai.test/openapi.json";

    /**
     * Fields the spec's schemas require to be non-null where the spec's own examples (and OpenAI) send null: a
     * JSON pointer below {@code #/components/schemas}, and where the example is.
     */
    static final List<String> NULL_IN_FACT = List.of(
            // "user": null in every Response example (ModelResponseProperties.user is deprecated and unset).
            "/ModelResponseProperties/properties/user",
            // "usage": null in the response.created / in_progress / queued examples, before any token is counted.
            "/Response/allOf/2/properties/usage",
            // "status_details": null and "usage": null in the Realtime response.created example.
            "/RealtimeResponse/properties/status_details",
            "/RealtimeResponse/properties/usage",
            // "transcription": null, "noise_reduction": null and "include": null in the session.created example.
            "/RealtimeSessionCreateResponseGA/properties/audio/properties/input/properties/transcription",
            "/RealtimeSessionCreateResponseGA/properties/audio/properties/input/properties/noise_reduction",
            "/RealtimeSessionCreateResponseGA/properties/include");
    private final JsonNode components;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private OpenApiSpec(JsonNode components) {
        this.components = components;
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("components", components);
        String text = Json.write(root);
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(Map.of(BASE, text)));
    }

    static OpenApiSpec load() throws IOException {
        Path file = locate();
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        JsonNode components = spec.path("components").path("schemas");
        allowNullable(components);
        for (String pointer : NULL_IN_FACT) {
            int last = pointer.lastIndexOf('/');
            JsonNode parent = components.at(pointer.substring(0, last));
            String field = pointer.substring(last + 1);
            if (!(parent instanceof ObjectNode object) || !object.has(field)) {
                throw new IllegalStateException("The spec no longer has " + pointer + ": review OpenApiSpec.NULL_IN_FACT");
            }
            object.set(field, Json.obj("anyOf", Json.arr(object.get(field), Json.obj("type", "null"))));
        }
        ObjectNode wrapped = Json.MAPPER.createObjectNode();
        wrapped.set("schemas", components);
        return new OpenApiSpec(wrapped);
    }

    /** The spec beside the repository: {@code shared/reference/} in this directory or one of its parents. */
    static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/reference/openai-openapi.yaml");
            if (Files.isRegularFile(candidate)) return candidate;
        }
        throw new IllegalStateException("OpenAI's OpenAPI spec (shared/reference/openai-openapi.yaml) is not beside the repository");
    }

    /** What is wrong with this instance of the named component schema; empty when it validates. */
    List<String> problems(String schemaName, JsonNode instance) {
        Schema schema = schemas.computeIfAbsent(schemaName,
                name -> registry.getSchema(SchemaLocation.of(BASE + "#/components/schemas/" + name)));
        List<String> problems = new ArrayList<>();
        schema.validate(Json.write(instance), InputFormat.JSON).forEach(error -> problems.add(error.toString()));
        return problems;
    }

    boolean has(String schemaName) {
        return components.path("schemas").has(schemaName);
    }

    /** For a union of events, each event type and the name of the schema that describes it. */
    Map<String, String> eventSchemas(String union) {
        Map<String, String> byType = new HashMap<>();
        JsonNode members = components.path("schemas").path(union).path("anyOf");
        if (members.isEmpty()) members = components.path("schemas").path(union).path("oneOf");
        for (JsonNode member : members) {
            String name = member.path("$ref").asText().replace("#/components/schemas/", "");
            for (String type : eventTypes(components.path("schemas").path(name))) byType.put(type, name);
        }
        return byType;
    }

    private static List<String> eventTypes(JsonNode schema) {
        List<String> types = new ArrayList<>();
        JsonNode type = schema.path("properties").path("type");
        type.path("enum").forEach(value -> types.add(value.asText()));
        if (type.has("const")) types.add(type.get("const").asText());
        for (JsonNode part : schema.path("allOf")) types.addAll(eventTypes(part));
        return types;
    }

    private static void allowNullable(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.path("nullable").asBoolean(false)) {
                object.remove("nullable");
                JsonNode type = object.get("type");
                if (type != null && type.isTextual()) {
                    object.set("type", Json.arr(type.asText(), "null"));
                    JsonNode values = object.get("enum");
                    if (values instanceof ArrayNode array && !array.toString().contains("null")) array.addNull();
                } else if (type == null) {
                    ObjectNode copy = object.deepCopy();
                    object.removeAll();
                    object.set("anyOf", Json.arr(copy, Json.obj("type", "null")));
                }
            }
            object.forEach(OpenApiSpec::allowNullable);
        } else if (node instanceof ArrayNode array) {
            array.forEach(OpenApiSpec::allowNullable);
        }
    }
}
