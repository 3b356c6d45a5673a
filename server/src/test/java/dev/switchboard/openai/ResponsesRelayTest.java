package dev.switchboard.openai;

import static dev.switchboard.ResponseTexts.outputText;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseRetrieveParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import dev.switchboard.TestGateway;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ResponsesRelayTest {
    static TestGateway gw;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        sdk = gw.sdk();
        gw.emulator.script("resp-poem", "{\"text\":\"Roses are red, streams are fast.\"}");
        gw.emulator.script("resp-slow", "{\"tokens\":30,\"delay_ms\":40}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void streamsTextDeltasAndUsageToTheSdk() {
        StringBuilder text = new StringBuilder();
        List<ResponseUsage> usage = new ArrayList<>();
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(
                ResponseCreateParams.builder().model("resp-poem").input("A poem please").build())) {
            stream.stream().forEach(event -> {
                events.add(event);
                event.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                event.completed().ifPresent(c -> c.response().usage().ifPresent(usage::add));
            });
        }
        assertThat(text).hasToString("Roses are red, streams are fast.");
        assertThat(events.get(0).isCreated()).isTrue();
        assertThat(events.get(0).asCreated().sequenceNumber()).isZero();
        assertThat(events.get(events.size() - 1).isCompleted()).isTrue();
        assertThat(usage).singleElement().satisfies(u -> assertThat(u.outputTokens()).isEqualTo(6));
    }

    @Test
    void functionCallsStreamAndTheirOutputsContinueTheConversation() {
        FunctionTool weather = FunctionTool.builder().name("get_weather").strict(false)
                .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .build())
                .build();
        String[] call = new String[3];
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("gpt-4o-mini;tool=get_weather").input("Weather in Paris?").addTool(weather).build())) {
            stream.stream().forEach(event -> {
                event.functionCallArgumentsDone().ifPresent(done -> call[0] = done.arguments());
                event.outputItemDone().ifPresent(done -> done.item().functionCall().ifPresent(fc -> {
                    call[1] = fc.callId();
                    call[2] = fc.name();
                }));
            });
        }
        assertThat(call[0]).isEqualTo("{\"location\":\"Paris\"}");
        assertThat(call[2]).isEqualTo("get_weather");

        Response answer = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini;tool=get_weather")
                .addTool(weather)
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput
                        .builder().callId(call[1]).output("sunny, 21 C").build())))
                .build());
        assertThat(outputText(answer)).isEqualTo("The tool returned: sunny, 21 C");
    }

    @Test
    void backgroundStreamResumesWithStartingAfterWithoutGapOrDuplicate() {
        String expected = outputText(sdk.responses().create(ResponseCreateParams.builder().model("resp-slow").input("x").build()));

        StringBuilder text = new StringBuilder();
        String id = null;
        int seen = 0;
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(
                ResponseCreateParams.builder().model("resp-slow").input("x").background(true).build())) {
            Iterator<ResponseStreamEvent> events = stream.stream().iterator();
            while (seen < 10) {
                ResponseStreamEvent event = events.next();
                seen++;
                if (event.isCreated()) id = event.asCreated().response().id();
                event.outputTextDelta().ifPresent(d -> text.append(d.delta()));
            }
        }
        assertThat(id).startsWith("resp_");
        long[] firstResumed = {-1};
        boolean[] completed = {false};
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().retrieveStreaming(id,
                ResponseRetrieveParams.builder().startingAfter(seen - 1).build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(d -> {
                    if (firstResumed[0] < 0) firstResumed[0] = d.sequenceNumber();
                    text.append(d.delta());
                });
                if (event.isCompleted()) completed[0] = true;
            });
        }
        assertThat(firstResumed[0]).isEqualTo(seen);
        assertThat(completed[0]).isTrue();
        assertThat(text).hasToString(expected);
    }

    @Test
    void backgroundResponsesCanBeCancelled() {
        Response created = sdk.responses().create(ResponseCreateParams.builder().model("resp-slow").input("x")
                .background(true).build());
        Response cancelled = sdk.responses().cancel(created.id());
        assertThat(cancelled.status()).hasValue(ResponseStatus.CANCELLED);
        assertThat(sdk.responses().retrieve(created.id()).status()).hasValue(ResponseStatus.CANCELLED);
    }

    @Test
    void answersNonStreamingResponses() {
        Response response = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o-mini").input("ping").build());
        assertThat(outputText(response)).isEqualTo("Echo: ping");
        assertThat(sdk.responses().retrieve(response.id()).id()).isEqualTo(response.id());
    }
}
