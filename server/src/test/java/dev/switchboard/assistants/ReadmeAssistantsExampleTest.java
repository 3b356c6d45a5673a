package dev.switchboard.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.beta.assistants.AssistantCreateParams;
import com.openai.models.beta.threads.ThreadCreateParams;
import com.openai.models.beta.threads.runs.RunCreateParams;
import dev.switchboard.TestGateway;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's Assistants example (seed 001's pattern), run as written against a real gateway. */
class ReadmeAssistantsExampleTest {

    @Test
    void printsTheTextDeltasThenRunCompleted() {
        try (TestGateway gw = TestGateway.start()) {
            gw.emulator.script("readme-model", "{\"text\":\"Hello from a kept-alive assistant.\"}");
            String threadId;
            String assistantId;
            {
                OpenAIClient setup = gw.sdk();
                assistantId = setup.beta().assistants().create(AssistantCreateParams.builder().model("readme-model").build()).id();
                threadId = setup.beta().threads().create(ThreadCreateParams.builder().addMessage(ThreadCreateParams.Message
                        .builder().role(ThreadCreateParams.Message.Role.USER).content("Hi").build()).build()).id();
            }
            StringBuilder out = new StringBuilder();

            // --- as in README.md, with System.out replaced by `out` ---
            OpenAIClient client = OpenAIOkHttpClient.builder()
                    .baseUrl(gw.baseUrl())   // http://localhost:8080/v1
                    .apiKey(gw.clientKey)    // a Switchboard key
                    .build();
            try (var stream = client.beta().threads().runs().createStreaming(threadId,
                    RunCreateParams.builder().assistantId(assistantId).build())) {
                stream.stream().forEach(event -> {
                    event.threadMessageDelta().ifPresent(delta -> delta.data().delta().content().orElse(List.of())
                            .forEach(part -> part.text().flatMap(t -> t.text()).flatMap(t -> t.value()).ifPresent(out::append)));
                    event.threadRunCompleted().ifPresent(done -> out.append("\nRun completed!\n"));
                });
            }
            // --- end of the README's example ---

            assertThat(out).hasToString("Hello from a kept-alive assistant.\nRun completed!\n");
        }
    }
}
