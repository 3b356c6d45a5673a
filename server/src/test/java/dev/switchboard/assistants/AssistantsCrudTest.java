package dev.switchboard.assistants;

import static dev.switchboard.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.beta.assistants.Assistant;
import com.openai.models.beta.assistants.AssistantCreateParams;
import com.openai.models.beta.assistants.AssistantListParams;
import com.openai.models.beta.assistants.AssistantUpdateParams;
import com.openai.models.beta.assistants.FunctionTool;
import com.openai.models.beta.threads.Thread;
import com.openai.models.beta.threads.ThreadCreateParams;
import com.openai.models.beta.threads.ThreadUpdateParams;
import com.openai.models.beta.threads.messages.Message;
import com.openai.models.beta.threads.messages.MessageCreateParams;
import com.openai.models.beta.threads.messages.MessageListParams;
import com.openai.models.beta.threads.messages.MessageUpdateParams;
import dev.switchboard.TestGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Assistants CRUD surface, driven by the official SDK's Assistants methods. */
class AssistantsCrudTest {
    static TestGateway gw;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        sdk = gw.sdk();
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void assistantsAreCreatedRetrievedModifiedListedAndDeleted() {
        Assistant created = sdk.beta().assistants().create(AssistantCreateParams.builder().model("gpt-4o-mini")
                .name("Weather helper").instructions("Answer briefly.")
                .addTool(FunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                        .parameters(com.openai.models.FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object")).build()).build()).build())
                .metadata(AssistantCreateParams.Metadata.builder().putAdditionalProperty("team", JsonValue.from("a")).build())
                .build());
        assertThat(created.id()).startsWith("asst_");
        assertThat(created.name()).hasValue("Weather helper");
        assertThat(created.tools()).singleElement().satisfies(t -> assertThat(t.asFunction().function().name()).isEqualTo("get_weather"));

        Assistant modified = sdk.beta().assistants().update(AssistantUpdateParams.builder().assistantId(created.id())
                .instructions("Answer in one word.").temperature(0.2).build());
        assertThat(modified.instructions()).hasValue("Answer in one word.");
        assertThat(modified.temperature()).hasValue(0.2);
        assertThat(modified.name()).hasValue("Weather helper");
        assertThat(sdk.beta().assistants().retrieve(created.id()).instructions()).hasValue("Answer in one word.");

        assertThat(sdk.beta().assistants().delete(created.id()).deleted()).isTrue();
        assertThatThrownBy(() -> sdk.beta().assistants().retrieve(created.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void listsPageWithLimitOrderAfterAndBefore() {
        String key = gw.gateway.keys().create("paging", "paging-owner", false).secret();
        OpenAIClient own = gw.sdk(key);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(own.beta().assistants().create(AssistantCreateParams.builder().model("gpt-4o-mini").name("a" + i).build()).id());
        }
        var newestFirst = own.beta().assistants().list(AssistantListParams.builder().limit(2).build());
        assertThat(newestFirst.data()).extracting(Assistant::id).containsExactly(ids.get(4), ids.get(3));
        assertThat(newestFirst.hasMore()).hasValue(true);
        var next = own.beta().assistants().list(AssistantListParams.builder().limit(2).after(ids.get(3)).build());
        assertThat(next.data()).extracting(Assistant::id).containsExactly(ids.get(2), ids.get(1));
        var oldestFirst = own.beta().assistants().list(AssistantListParams.builder().order(AssistantListParams.Order.ASC).limit(10).build());
        assertThat(oldestFirst.data()).extracting(Assistant::id).containsExactlyElementsOf(ids);
        assertThat(oldestFirst.hasMore()).hasValue(false);
        var before = own.beta().assistants().list(AssistantListParams.builder().order(AssistantListParams.Order.ASC).before(ids.get(2)).build());
        assertThat(before.data()).extracting(Assistant::id).containsExactly(ids.get(0), ids.get(1));
    }

    @Test
    void threadsCarryInitialMessagesAndMessagesAreManaged() {
        Thread thread = sdk.beta().threads().create(ThreadCreateParams.builder()
                .addMessage(ThreadCreateParams.Message.builder().role(ThreadCreateParams.Message.Role.USER).content("Hello").build())
                .addMessage(ThreadCreateParams.Message.builder().role(ThreadCreateParams.Message.Role.ASSISTANT).content("Hi!").build())
                .build());
        assertThat(thread.id()).startsWith("thread_");

        Message third = sdk.beta().threads().messages().create(thread.id(), MessageCreateParams.builder()
                .role(MessageCreateParams.Role.USER).content("What is the weather?").build());
        assertThat(third.threadId()).isEqualTo(thread.id());
        assertThat(third.content().get(0).asText().text().value()).isEqualTo("What is the weather?");

        var listed = sdk.beta().threads().messages().list(thread.id(), MessageListParams.builder().order(MessageListParams.Order.ASC).build());
        assertThat(listed.data()).extracting(m -> m.content().get(0).asText().text().value())
                .containsExactly("Hello", "Hi!", "What is the weather?");
        assertThat(listed.data().get(1).role()).isEqualTo(Message.Role.ASSISTANT);

        Message tagged = sdk.beta().threads().messages().update(third.id(), MessageUpdateParams.builder().threadId(thread.id())
                .metadata(MessageUpdateParams.Metadata.builder().putAdditionalProperty("seen", JsonValue.from("yes")).build()).build());
        assertThat(tagged.metadata()).isPresent();
        assertThat(sdk.beta().threads().messages().retrieve(third.id(),
                com.openai.models.beta.threads.messages.MessageRetrieveParams.builder().threadId(thread.id()).build())
                .metadata()).isPresent();

        Thread modified = sdk.beta().threads().update(thread.id(), ThreadUpdateParams.builder()
                .metadata(ThreadUpdateParams.Metadata.builder().putAdditionalProperty("topic", JsonValue.from("weather")).build()).build());
        assertThat(modified.metadata()).isPresent();

        assertThat(sdk.beta().threads().delete(thread.id()).deleted()).isTrue();
        assertThatThrownBy(() -> sdk.beta().threads().retrieve(thread.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void anotherOwnersObjectsAreNotFound() {
        Assistant mine = sdk.beta().assistants().create(AssistantCreateParams.builder().model("gpt-4o-mini").build());
        Thread thread = sdk.beta().threads().create(ThreadCreateParams.builder().build());
        OpenAIClient stranger = gw.sdk(gw.gateway.keys().create("stranger", "someone-else", false).secret());
        assertThatThrownBy(() -> stranger.beta().assistants().retrieve(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> stranger.beta().assistants().delete(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> stranger.beta().threads().retrieve(thread.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> stranger.beta().threads().messages().create(thread.id(), MessageCreateParams.builder()
                .role(MessageCreateParams.Role.USER).content("x").build())).isInstanceOf(NotFoundException.class);
        assertThat(stranger.beta().assistants().list(AssistantListParams.builder().build()).data())
                .extracting(Assistant::id).doesNotContain(mine.id());
    }

    @Test
    void badInputIsRefusedWithTheFieldNamed() {
        assertError(gw.send(gw.post("/v1/assistants", "{\"name\":\"no model\"}")), 400, "missing_required_parameter");
        var error = assertError(gw.send(gw.post("/v1/assistants",
                "{\"model\":\"gpt-4o-mini\",\"tools\":[{\"type\":\"code_interpreter\"}]}")), 400, "invalid_value");
        assertThat(error.path("param").asText()).isEqualTo("tools[0].type");
        assertThat(error.path("message").asText()).contains("code_interpreter");
        assertError(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"temperature\":3}")), 400, "invalid_value");
        assertError(gw.send(gw.post("/v1/assistants", "{\"model\":\"gpt-4o-mini\",\"metadata\":{\"k\":1}}")), 400, "invalid_value");
        assertError(gw.send(gw.post("/v1/threads", "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}")), 400, "invalid_value");
        assertError(gw.send(gw.get("/v1/assistants?limit=500")), 400, "invalid_value");
        assertError(gw.send(gw.get("/v1/assistants/..%2Fthreads")), 404, "not_found");
        assertThat(gw.send(gw.post("/v1/threads", "")).statusCode()).isEqualTo(200);
    }
}
