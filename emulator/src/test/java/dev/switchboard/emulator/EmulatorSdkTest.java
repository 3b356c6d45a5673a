package dev.switchboard.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.core.JsonValue;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionListParams;
import com.openai.models.chat.completions.ChatCompletionUpdateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official SDK against the emulator directly: the emulator must be a faithful stand-in on its own. */
class EmulatorSdkTest {
    static Emulator emulator;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        emulator = Emulator.start(EmulatorOptions.defaults().withApiKey("sk-emulator-test"));
        sdk = client("sk-emulator-test");
        emulator.script("scripted", "{\"text\":\"one two three\"}");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(emulator.baseUrl()).apiKey(key).maxRetries(0).build();
    }

    @Test
    void chatStreamsScriptedTokensThenDone() {
        List<String> deltas = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = sdk.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("scripted").addUserMessage("x").build())) {
            stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().filter(s -> !s.isEmpty()).ifPresent(deltas::add)));
        }
        assertThat(deltas).containsExactly("one", " two", " three");
    }

    @Test
    void chatIsDeterministicAndEchoesByDefault() {
        var params = ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("same input").build();
        String first = sdk.chat().completions().create(params).choices().get(0).message().content().orElseThrow();
        String second = sdk.chat().completions().create(params).choices().get(0).message().content().orElseThrow();
        assertThat(first).isEqualTo("Echo: same input").isEqualTo(second);
    }

    @Test
    void responsesNumberEveryEventFromZero() throws Exception {
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(
                ResponseCreateParams.builder().model("scripted").input("x").build())) {
            stream.stream().forEach(events::add);
        }
        String body = raw("/responses", "{\"model\":\"scripted\",\"input\":\"x\",\"stream\":true}").body();
        List<String> types = body.lines().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7)).toList();
        assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed");
        assertThat(events.get(0).asCreated().sequenceNumber()).isZero();
        assertThat(events.get(10).asCompleted().sequenceNumber()).isEqualTo(10);
        assertThat(events.get(10).asCompleted().response().usage().orElseThrow().outputTokens()).isEqualTo(3);
    }

    @Test
    void backgroundResponsesResumeAndCancel() {
        emulator.script("slow", "{\"tokens\":20,\"delay_ms\":30}");
        Response created = sdk.responses().create(ResponseCreateParams.builder().model("slow").input("x").background(true).build());
        assertThat(created.status()).hasValue(ResponseStatus.QUEUED);
        List<ResponseStreamEvent> tail = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().retrieveStreaming(created.id(),
                ResponseRetrieveParams.builder().startingAfter(5).build())) {
            stream.stream().forEach(tail::add);
        }
        assertThat(tail.get(0).asOutputTextDelta().sequenceNumber()).isEqualTo(6);
        assertThat(tail.get(tail.size() - 1).isCompleted()).isTrue();

        Response other = sdk.responses().create(ResponseCreateParams.builder().model("slow").input("x").background(true).build());
        assertThat(sdk.responses().cancel(other.id()).status()).hasValue(ResponseStatus.CANCELLED);
    }

    @Test
    void storedChatCompletionsAreListedRetrievedUpdatedAndDeleted() {
        ChatCompletionCreateParams.Metadata tagged = ChatCompletionCreateParams.Metadata.builder()
                .putAdditionalProperty("app", JsonValue.from("stored-test")).build();
        var first = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addSystemMessage("Be brief.").addUserMessage("first question").store(true).metadata(tagged).build());
        var second = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("second question").store(true).metadata(tagged).build());
        sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("not kept").metadata(tagged).build());
        java.util.function.Supplier<ChatCompletionListParams.Builder> byApp = () -> ChatCompletionListParams.builder()
                .metadata(ChatCompletionListParams.Metadata.builder().putAdditionalProperty("app", "stored-test").build());

        // Oldest first by default, as OpenAI lists stored completions; only those made with store: true.
        assertThat(sdk.chat().completions().list(byApp.get().build()).data()).extracting(ChatCompletion::id)
                .containsExactly(first.id(), second.id());
        assertThat(sdk.chat().completions().list(byApp.get().order(ChatCompletionListParams.Order.DESC).build()).data())
                .extracting(ChatCompletion::id).containsExactly(second.id(), first.id());
        var retrieved = sdk.chat().completions().retrieve(first.id());
        assertThat(retrieved.choices().getFirst().message().content()).isEqualTo(first.choices().getFirst().message().content());
        assertThat(sdk.chat().completions().messages().list(first.id()).data())
                .extracting(message -> message.content().orElse(null)).containsExactly("Be brief.", "first question");

        var updated = sdk.chat().completions().update(first.id(), ChatCompletionUpdateParams.builder()
                .metadata(ChatCompletionUpdateParams.Metadata.builder()
                        .putAdditionalProperty("app", JsonValue.from("moved")).build()).build());
        assertThat(updated.metadata().orElseThrow()._additionalProperties().get("app")).isEqualTo(JsonValue.from("moved"));
        assertThat(sdk.chat().completions().list(byApp.get().build()).data()).extracting(ChatCompletion::id)
                .containsExactly(second.id());

        assertThat(sdk.chat().completions().delete(second.id()).deleted()).isTrue();
        assertThatThrownBy(() -> sdk.chat().completions().retrieve(second.id())).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("Chat completion with id '" + second.id() + "' not found.");
    }

    @Test
    void everyAnswerCarriesARequestIdAsOpenAisDo() {
        try (var embedded = sdk.embeddings().withRawResponse().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello").build())) {
            assertThat(embedded.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
            assertThat(embedded.headers().values("openai-version")).containsExactly("2020-10-01");
        }
        try (var listed = sdk.models().withRawResponse().list()) {
            assertThat(listed.requestId()).isPresent();
        }
        assertThatThrownBy(() -> client("sk-wrong").models().list()).isInstanceOfSatisfying(UnauthorizedException.class,
                refused -> assertThat(refused.headers().values("x-request-id")).singleElement()
                        .satisfies(id -> assertThat(id).startsWith("req_")));
        try (var streamed = sdk.chat().completions().withRawResponse().createStreaming(
                ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("x").build())) {
            assertThat(streamed.headers().values("x-request-id")).hasSize(1);
            try (StreamResponse<ChatCompletionChunk> stream = streamed.parse()) {
                assertThat(stream.stream().count()).isPositive();
            }
        }
    }

    @Test
    void errorsHaveOpenAiShapesAndStatuses() throws Exception {
        assertThatThrownBy(() -> client("sk-wrong").models().list()).isInstanceOf(UnauthorizedException.class);
        assertThatThrownBy(() -> sdk.responses().retrieve("resp_missing")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini;fail=429").addUserMessage("x").build())).isInstanceOf(RateLimitException.class);
        assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini;fail=500").addUserMessage("x").build())).isInstanceOf(InternalServerException.class);

        HttpResponse<String> limited = raw("/chat/completions",
                "{\"model\":\"gpt-4o-mini;fail=429;retry_after=3\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(limited.body()).contains("\"error\"", "\"code\":\"rate_limit_exceeded\"");
    }

    @Test
    void recordsRequestsForTestsToInspect() throws Exception {
        raw("/chat/completions", "{\"model\":\"recorded-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(emulator.requests()).anySatisfy(r -> {
            assertThat(r.body()).contains("recorded-model");
            assertThat(r.header("authorization")).isEqualTo("Bearer sk-emulator-test");
        });
    }

    private static HttpResponse<String> raw(String path, String body) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(emulator.baseUrl() + path))
                        .header("Authorization", "Bearer sk-emulator-test").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void chatKitSessionsAreCreatedAndCancelledAsTheSdkExpects() {
        var session = sdk.beta().chatkit().sessions().create(com.openai.models.beta.chatkit.sessions.SessionCreateParams.builder()
                .user("team-a")
                .workflow(com.openai.models.beta.chatkit.threads.ChatSessionWorkflowParam.builder().id("wf_support").build())
                .build());
        // The SDK validates every required field of the session while reading it.
        session.validate();
        assertThat(session.id()).startsWith("cksess_");
        assertThat(session.clientSecret()).startsWith("ek_");
        assertThat(session.user()).isEqualTo("team-a");
        assertThat(session.workflow().id()).isEqualTo("wf_support");
        assertThat(session.status().asString()).isEqualTo("active");
        assertThat(session.expiresAt()).isGreaterThan(System.currentTimeMillis() / 1000);

        var cancelled = sdk.beta().chatkit().sessions().cancel(session.id());
        assertThat(cancelled.status().asString()).isEqualTo("cancelled");
    }

    @Test
    void aScriptCanBeChosenByWhatTheRequestSays() {
        emulator.scriptWhen("*", "the \"magic\" words", "{\"text\":\"scripted by text\"}");
        emulator.scriptWhen("judge-only", "grade this", "{\"text\":\"{\\\"score\\\":1}\"}");
        var scripted = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("please say the \"magic\" words\nnow").build());
        assertThat(scripted.choices().get(0).message().content()).hasValue("scripted by text");
        var other = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("grade this").build());
        assertThat(other.choices().get(0).message().content()).hasValue("Echo: grade this");
        var judged = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("judge-only")
                .addUserMessage("grade this").build());
        assertThat(judged.choices().get(0).message().content()).hasValue("{\"score\":1}");
    }
}
