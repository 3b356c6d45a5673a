package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tool_choice} obeyed as OpenAI's models obey it, in every API: "required" and a named function always call,
 * with arguments the tool's schema accepts, "none" never calls.
 */
class ToolChoiceTest {
    static final String KEY = "sk-emulator-tools";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** Nested objects, arrays, enums, bounds, a $ref and a nullable union: what a minimal instance must satisfy. */
    static final String BOOKING = """
            {"type":"object","additionalProperties":false,
             "required":["city","nights","guests","room","dates","contact","note"],
             "properties":{
               "city":{"type":"string","minLength":3},
               "nights":{"type":"integer","minimum":2,"maximum":14},
               "guests":{"type":"array","minItems":2,"items":{"$ref":"#/$defs/guest"}},
               "room":{"type":"string","enum":["double","suite"]},
               "dates":{"type":"object","required":["from"],"properties":{"from":{"type":"string","format":"date"}},
                        "additionalProperties":false},
               "contact":{"anyOf":[{"type":"null"},{"type":"object","required":["email"],
                          "properties":{"email":{"type":"string","format":"email"}}}]},
               "note":{"type":["string","null"],"maxLength":4},
               "optional":{"type":"boolean"}},
             "$defs":{"guest":{"type":"object","required":["name","age"],
                      "properties":{"name":{"type":"string"},"age":{"type":"number","exclusiveMinimum":17}}}}}
            """;
    static Emulator emulator;

    @BeforeAll
    static void start() {
        emulator = Emulator.start(EmulatorOptions.defaults().withApiKey(KEY));
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void responsesRequiredCallsAToolWithArgumentsItsSchemaAccepts() throws Exception {
        JsonNode response = post("/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"Book me a room\","
                + "\"tool_choice\":\"required\",\"tools\":[" + responsesTool("book_room", BOOKING) + "]}");
        JsonNode call = response.path("output").get(0);
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(call.path("name").asText()).isEqualTo("book_room");
        assertValid(BOOKING, call.path("arguments").asText());
        assertThat(response.path("status").asText()).isEqualTo("completed");
    }

    @Test
    void responsesNamedFunctionIsCalledStreamedEvenAfterAToolOutput() throws Exception {
        String tools = responsesTool("get_time", "{\"type\":\"object\",\"properties\":{}}") + ","
                + responsesTool("book_room", BOOKING);
        String body = postRaw("/responses", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                + "\"input\":[{\"role\":\"user\",\"content\":\"go\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"book_room\",\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"booked\"}],"
                + "\"tool_choice\":{\"type\":\"function\",\"name\":\"book_room\"},\"tools\":[" + tools + "]}").body();
        JsonNode done = events(body).stream().filter(e -> e.path("type").asText().equals("response.function_call_arguments.done"))
                .findFirst().orElseThrow();
        assertThat(done.path("name").asText()).isEqualTo("book_room");
        assertValid(BOOKING, done.path("arguments").asText());
    }

    @Test
    void noneNeverCallsEvenWhenTheScriptWould() throws Exception {
        JsonNode response = post("/responses", "{\"model\":\"gpt-4o-mini;tool=get_weather\",\"input\":\"weather?\","
                + "\"tool_choice\":\"none\",\"tools\":[" + responsesTool("get_weather", "{\"type\":\"object\"}") + "]}");
        assertThat(response.path("output").get(0).path("type").asText()).isEqualTo("message");
        JsonNode chat = post("/chat/completions", "{\"model\":\"gpt-4o-mini;tool=get_weather\",\"tool_choice\":\"none\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"}],\"tools\":[" + chatTool("get_weather", "{\"type\":\"object\"}") + "]}");
        assertThat(chat.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(chat.path("choices").get(0).path("message").has("tool_calls")).isFalse();
    }

    @Test
    void autoWithNothingScriptedCallsTheToolTheUserNamesThenAnswersWithItsOutput() throws Exception {
        String tools = "\"tools\":[" + chatTool("get_time", "{\"type\":\"object\"}") + ","
                + chatTool("get_weather", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}") + "]";
        JsonNode asked = post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"What's the weather in Paris?\"}]," + tools + "}");
        JsonNode call = asked.path("choices").get(0).path("message").path("tool_calls").get(0);
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        JsonNode answered = post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"What's the weather in Paris?\"},{\"role\":\"assistant\",\"tool_calls\":[" + call + "]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"" + call.path("id").asText() + "\",\"content\":\"sunny\"}]," + tools + "}");
        assertThat(answered.path("choices").get(0).path("message").path("content").asText()).isEqualTo("The tool returned: sunny");
        JsonNode unrelated = post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello there\"}]," + tools + "}");
        assertThat(unrelated.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void chatCompletionsRequiredAndNamedCallStreamedAndNot() throws Exception {
        JsonNode chat = post("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"tool_choice\":\"required\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"book\"}],\"tools\":[" + chatTool("book_room", BOOKING) + "]}");
        JsonNode choice = chat.path("choices").get(0);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode function = choice.path("message").path("tool_calls").get(0).path("function");
        assertThat(function.path("name").asText()).isEqualTo("book_room");
        assertValid(BOOKING, function.path("arguments").asText());

        String body = postRaw("/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"book_room\"}},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"book\"}],"
                + "\"tools\":[" + chatTool("get_time", "{\"type\":\"object\"}") + "," + chatTool("book_room", BOOKING) + "]}").body();
        StringBuilder arguments = new StringBuilder();
        String name = null;
        String finish = null;
        for (JsonNode chunk : events(body)) {
            for (JsonNode c : chunk.path("choices")) {
                for (JsonNode call : c.path("delta").path("tool_calls")) {
                    if (call.path("function").has("name")) name = call.path("function").path("name").asText();
                    arguments.append(call.path("function").path("arguments").asText(""));
                }
                if (c.hasNonNull("finish_reason")) finish = c.get("finish_reason").asText();
            }
        }
        assertThat(name).isEqualTo("book_room");
        assertThat(finish).isEqualTo("tool_calls");
        assertValid(BOOKING, arguments.toString());
    }

    @Test
    void realtimeSessionAndResponseToolChoiceCall() throws Exception {
        String url = "ws://127.0.0.1:" + emulator.port() + "/v1/realtime?model=gpt-realtime";
        try (RealtimeWebSocketTest.Client client = RealtimeWebSocketTest.Client.connectTo(url, KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"session.update\",\"session\":{\"type\":\"realtime\",\"output_modalities\":[\"text\"],"
                    + "\"tool_choice\":\"required\",\"tools\":[" + responsesTool("book_room", BOOKING) + ","
                    + responsesTool("get_time", "{\"type\":\"object\"}") + "]}}");
            client.next("session.updated");
            client.send("{\"type\":\"conversation.item.create\",\"item\":{\"type\":\"message\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_text\",\"text\":\"book\"}]}}");
            client.send("{\"type\":\"response.create\"}");
            JsonNode done = client.next("response.function_call_arguments.done");
            assertThat(done.path("name").asText()).isEqualTo("book_room");
            assertValid(BOOKING, done.path("arguments").asText());
            client.next("response.done");

            client.send("{\"type\":\"response.create\",\"response\":{\"tool_choice\":{\"type\":\"function\",\"name\":\"get_time\"}}}");
            assertThat(client.next("response.function_call_arguments.done").path("name").asText()).isEqualTo("get_time");
            client.next("response.done");

            client.send("{\"type\":\"response.create\",\"response\":{\"tool_choice\":\"none\"}}");
            JsonNode response = client.next("response.done").path("response");
            assertThat(response.path("output").get(0).path("type").asText()).isEqualTo("message");
        }
    }

    static String responsesTool(String name, String schema) {
        return "{\"type\":\"function\",\"name\":\"" + name + "\",\"parameters\":" + schema + "}";
    }

    static String chatTool(String name, String schema) {
        return "{\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"parameters\":" + schema + "}}";
    }

    static void assertValid(String schema, String arguments) {
        assertThat(SCHEMAS.getSchema(schema, InputFormat.JSON).validate(arguments, InputFormat.JSON))
                .as("arguments %s", arguments).isEmpty();
    }

    static JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> response = postRaw(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parse(response.body());
    }

    static HttpResponse<String> postRaw(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path)).header("Authorization", "Bearer " + KEY)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON data of each SSE event, [DONE] left out. */
    static List<JsonNode> events(String sse) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) events.add(Json.parse(line.substring(6)));
        }
        return events;
    }
}
