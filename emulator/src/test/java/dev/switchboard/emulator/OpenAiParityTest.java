package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Where the emulator used to differ from OpenAI: unknown models, input items, output token limits. */
class OpenAiParityTest {
    @BeforeAll
    static void start() {
        ToolChoiceTest.start();
        ToolChoiceTest.emulator.script("my-scripted-model", "{\"text\":\"scripted\"}");
    }

    @AfterAll
    static void stop() {
        ToolChoiceTest.stop();
    }

    @Test
    void anUnknownModelIsNotFoundAsOpenAiSaysIt() throws Exception {
        String expected = "{\"error\":{\"message\":\"The model 'gpt-nope' does not exist or you do not have access to it.\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}";
        for (String path : new String[] {"/responses", "/chat/completions"}) {
            HttpResponse<String> refused = ToolChoiceTest.postRaw(path,
                    "{\"model\":\"gpt-nope\",\"input\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
            assertThat(refused.statusCode()).as(path).isEqualTo(404);
            assertThat(Json.parse(refused.body())).as(path).isEqualTo(Json.parse(expected));
        }
        assertThat(Json.parse(ToolChoiceTest.get("/models/gpt-nope").body())).isEqualTo(Json.parse(expected));
        // Served models, their dated snapshots, directives and scripted names still answer.
        for (String model : new String[] {"gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4o-mini;tokens=3", "my-scripted-model"}) {
            assertThat(ToolChoiceTest.postRaw("/responses", "{\"model\":\"" + model + "\",\"input\":\"x\"}").statusCode())
                    .as(model).isEqualTo(200);
        }
    }

    @Test
    void aPathAskedWithAMethodItDoesNotTakeIsAnInvalidUrl() throws Exception {
        HttpResponse<String> refused = ToolChoiceTest.get("/embeddings");
        assertThat(refused.statusCode()).isEqualTo(404);
        assertThat(Json.parse(refused.body())).isEqualTo(Json.parse("{\"error\":{\"message\":\"Invalid URL (GET "
                + "/v1/embeddings)\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"));
    }

    @Test
    void aResponsesInputItemsAreListedAsOpenAiLists() throws Exception {
        JsonNode response = ToolChoiceTest.post("/responses", "{\"model\":\"gpt-4o-mini\",\"input\":["
                + "{\"role\":\"user\",\"content\":\"first\"},{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"second\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"third\"}]}]}");
        HttpResponse<String> listed = ToolChoiceTest.get("/responses/" + response.path("id").asText() + "/input_items");
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        JsonNode page = Json.parse(listed.body());
        assertThat(page.path("object").asText()).isEqualTo("list");
        assertThat(page.path("has_more").asBoolean()).isFalse();
        JsonNode data = page.path("data");
        assertThat(data).hasSize(3);
        // Newest first by default, as OpenAI lists them.
        assertThat(data.get(0).path("content").get(0).path("text").asText()).isEqualTo("third");
        assertThat(data.get(1).path("content").get(0).path("type").asText()).isEqualTo("output_text");
        assertThat(data.get(1).path("content").get(0).path("annotations").isArray()).isTrue();
        assertThat(page.path("first_id").asText()).isEqualTo(data.get(0).path("id").asText()).startsWith("msg_");
        JsonNode ascending = Json.parse(ToolChoiceTest.get("/responses/" + response.path("id").asText()
                + "/input_items?order=asc&limit=1").body());
        assertThat(ascending.path("data").get(0).path("content").get(0).path("text").asText()).isEqualTo("first");
        assertThat(ascending.path("has_more").asBoolean()).isTrue();
        assertThat(ToolChoiceTest.get("/responses/resp_nope/input_items").statusCode()).isEqualTo(404);
    }

    @Test
    void aResponseCutByMaxOutputTokensEndsIncomplete() throws Exception {
        String body = ToolChoiceTest.postRaw("/responses", "{\"model\":\"gpt-4o-mini;tokens=20\",\"input\":\"x\","
                + "\"max_output_tokens\":3,\"stream\":true}").body();
        var events = ToolChoiceTest.events(body);
        JsonNode last = events.getLast();
        assertThat(last.path("type").asText()).isEqualTo("response.incomplete");
        assertThat(last.path("response").path("status").asText()).isEqualTo("incomplete");
        assertThat(last.path("response").path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(last.path("response").path("usage").path("output_tokens").asInt()).isEqualTo(3);
        assertThat(events.stream().filter(e -> e.path("type").asText().equals("response.output_text.delta"))).hasSize(3);
        JsonNode item = events.stream().filter(e -> e.path("type").asText().equals("response.output_item.done"))
                .findFirst().orElseThrow().path("item");
        assertThat(item.path("status").asText()).isEqualTo("incomplete");
    }

    @Test
    void aChatCompletionCutByMaxCompletionTokensFinishesWithLength() throws Exception {
        JsonNode cut = ToolChoiceTest.post("/chat/completions", "{\"model\":\"gpt-4o-mini;tokens=20\",\"max_completion_tokens\":4,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(cut.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(cut.path("choices").get(0).path("message").path("content").asText().split(" ")).hasSize(4);
        assertThat(cut.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
        String streamed = ToolChoiceTest.postRaw("/chat/completions", "{\"model\":\"gpt-4o-mini;tokens=20\",\"max_tokens\":2,"
                + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").body();
        assertThat(ToolChoiceTest.events(streamed).stream().map(chunk -> chunk.path("choices").path(0).path("finish_reason").asText(""))
                .filter(reason -> !reason.isEmpty() && !reason.equals("null"))).containsExactly("length");
    }

    @Test
    void aRealtimeResponseCutByMaxOutputTokensEndsIncomplete() throws Exception {
        String url = "ws://127.0.0.1:" + ToolChoiceTest.emulator.port() + "/v1/realtime?model=gpt-realtime;tokens=20";
        try (RealtimeWebSocketTest.Client client = RealtimeWebSocketTest.Client.connectTo(url, ToolChoiceTest.KEY)) {
            client.next("session.created");
            client.send("{\"type\":\"response.create\",\"response\":{\"output_modalities\":[\"text\"],\"max_output_tokens\":3}}");
            JsonNode response = client.next("response.done").path("response");
            assertThat(response.path("status").asText()).isEqualTo("incomplete");
            assertThat(response.path("status_details").path("reason").asText()).isEqualTo("max_output_tokens");
            assertThat(response.path("max_output_tokens").asInt()).isEqualTo(3);
            assertThat(response.path("output").get(0).path("status").asText()).isEqualTo("incomplete");
            assertThat(response.path("output").get(0).path("content").get(0).path("text").asText().split(" ")).hasSize(3);
        }
    }
}
