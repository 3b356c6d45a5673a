package dev.switchboard.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.switchboard.TestGateway;
import dev.switchboard.emulator.RecordedRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChatCompletionsRelayTest {
    static TestGateway gw;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        sdk = gw.sdk();
        gw.emulator.script("chat-fox", "{\"text\":\"The quick brown fox jumps over the lazy dog.\"}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void streamsScriptedTextToTheSdkTokenByToken() {
        var params = ChatCompletionCreateParams.builder().model("chat-fox").addUserMessage("Tell me a pangram").build();
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content()
                    .filter(s -> !s.isEmpty()).ifPresent(deltas::add)));
        }
        assertThat(String.join("", deltas)).isEqualTo("The quick brown fox jumps over the lazy dog.");
        assertThat(deltas).hasSize(9);
    }

    @Test
    void streamsToolCallsWithTheirArguments() {
        var params = ChatCompletionCreateParams.builder().model("gpt-4o-mini;tool=get_weather")
                .addUserMessage("Weather in Paris?").build();
        StringBuilder name = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
                c.delta().toolCalls().ifPresent(calls -> calls.forEach(call -> call.function().ifPresent(f -> {
                    f.name().ifPresent(name::append);
                    f.arguments().ifPresent(arguments::append);
                })));
                c.finishReason().ifPresent(r -> finishReasons.add(r.asString()));
            }));
        }
        assertThat(name).hasToString("get_weather");
        assertThat(arguments).hasToString("{\"location\":\"Paris\"}");
        assertThat(finishReasons).containsExactly("tool_calls");
    }

    @Test
    void includeUsageDeliversTheUsageChunk() {
        var params = ChatCompletionCreateParams.builder().model("chat-fox").addUserMessage("hi")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<CompletionUsage> usages = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.usage().ifPresent(usages::add));
        }
        assertThat(usages).hasSize(1);
        assertThat(usages.get(0).completionTokens()).isEqualTo(9);
        assertThat(usages.get(0).totalTokens()).isGreaterThan(9);
    }

    @Test
    void answersNonStreamingCompletions() {
        var completion = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini").addUserMessage("hello there").build());
        assertThat(completion.choices().get(0).message().content()).contains("Echo: hello there");
        assertThat(completion.usage()).isPresent();
    }

    @Test
    void forwardsTheClientBodyByteForByteWithTheServerKey() {
        String body = "{ \"model\" : \"gpt-4o-mini\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"spacing \\u00e9 kept\"}] ,"
                + "\"stream\":true, \"stream_options\": {\"include_usage\": true}}";
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions", body));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(response.headers().firstValue("X-Accel-Buffering")).hasValue("no");
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body()).endsWith("data: [DONE]\n\n").contains("\"usage\":{");

        RecordedRequest upstream = gw.emulator.requests().stream()
                .filter(r -> r.body().equals(body)).findFirst().orElseThrow();
        assertThat(upstream.header("Authorization")).isEqualTo("Bearer " + TestGateway.UPSTREAM_KEY);
        assertThat(upstream.header("X-API-Key")).isNull();
        assertThat(upstream.headers().values()).noneMatch(v -> v.contains(gw.clientKey));
    }

    @Test
    void asksUpstreamForUsageWithoutShowingItToAClientThatDidNotAsk() {
        String marker = "usage-not-asked-" + System.nanoTime();
        HttpResponse<String> response = gw.send(gw.post("/v1/chat/completions", "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + marker + "\"}]}"));
        assertThat(response.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        RecordedRequest upstream = gw.emulator.requests().stream().filter(r -> r.body().contains(marker)).findFirst().orElseThrow();
        assertThat(upstream.body()).contains("\"stream_options\":{\"include_usage\":true}");
    }
}
