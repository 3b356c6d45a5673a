package dev.switchboard.openai;

import static dev.switchboard.ResponseTexts.outputText;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.models.conversations.Conversation;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.switchboard.TestGateway;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConversationsAndModelsRelayTest {
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
    void conversationsKeepItemsAndResponsesJoinThem() {
        Conversation conversation = sdk.conversations().create();
        HttpResponse<String> added = gw.send(gw.post("/v1/conversations/" + conversation.id() + "/items",
                "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"remember the word teal\"}]}"));
        assertThat(added.statusCode()).isEqualTo(200);
        assertThat(added.body()).contains("remember the word teal");

        Response response = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini")
                .conversation(conversation.id()).input("what was the word?").build());
        assertThat(outputText(response)).isEqualTo("Echo: what was the word?");

        HttpResponse<String> items = gw.send(gw.get("/v1/conversations/" + conversation.id() + "/items?order=asc"));
        assertThat(items.statusCode()).isEqualTo(200);
        assertThat(items.body()).contains("remember the word teal", "what was the word?", "Echo: what was the word?");
        assertThat(sdk.conversations().retrieve(conversation.id()).id()).isEqualTo(conversation.id());
    }

    @Test
    void listsAndRetrievesModels() {
        assertThat(sdk.models().list().data()).extracting(Model::id).contains("gpt-4o-mini", "gpt-realtime");
        assertThat(sdk.models().retrieve("gpt-4o").id()).isEqualTo("gpt-4o");
    }
}
