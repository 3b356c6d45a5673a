package dev.switchboard.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.beta.assistants.Assistant;
import com.openai.models.beta.assistants.AssistantCreateParams;
import com.openai.models.beta.assistants.AssistantStreamEvent;
import com.openai.models.beta.assistants.FunctionTool;
import com.openai.models.beta.threads.Thread;
import com.openai.models.beta.threads.ThreadCreateAndRunParams;
import com.openai.models.beta.threads.ThreadCreateParams;
import com.openai.models.beta.threads.runs.Run;
import com.openai.models.beta.threads.runs.RunCancelParams;
import com.openai.models.beta.threads.runs.RunCreateParams;
import com.openai.models.beta.threads.runs.RunRetrieveParams;
import com.openai.models.beta.threads.runs.RunStatus;
import com.openai.models.beta.threads.runs.RunSubmitToolOutputsParams;
import com.openai.models.beta.threads.runs.steps.StepListParams;
import com.openai.models.beta.threads.messages.MessageListParams;
import dev.switchboard.SseFrames;
import dev.switchboard.TestGateway;
import dev.switchboard.stream.SseFrame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs executed on the Responses API, driven through the official SDK's Assistants streaming methods. */
class RunsTest {
    static TestGateway gw;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        gw = TestGateway.start();
        sdk = gw.sdk();
        gw.emulator.script("run-text", "{\"text\":\"Streams keep the gateway honest.\"}");
        gw.emulator.script("run-slow", "{\"tokens\":200,\"delay_ms\":50}");
        gw.emulator.script("run-medium", "{\"tokens\":30,\"delay_ms\":30}");
    }

    @AfterAll
    static void stop() {
        gw.close();
    }

    @Test
    void aTextRunStreamsItsMessageAndCompletesWithUsage() {
        Assistant assistant = assistant("run-text", false);
        Thread thread = threadWith("Say something");
        StringBuilder text = new StringBuilder();
        List<Run> completed = new ArrayList<>();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().runs().createStreaming(thread.id(),
                RunCreateParams.builder().assistantId(assistant.id()).build())) {
            stream.stream().forEach(event -> {
                appendText(event, text);
                event.threadRunCompleted().ifPresent(c -> completed.add(c.data()));
            });
        }
        assertThat(text).hasToString("Streams keep the gateway honest.");
        assertThat(completed).singleElement().satisfies(run -> {
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(run.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));
        });
        var messages = sdk.beta().threads().messages().list(thread.id(), MessageListParams.builder().order(MessageListParams.Order.ASC).build());
        assertThat(messages.data()).hasSize(2);
        assertThat(messages.data().get(1).content().get(0).asText().text().value()).isEqualTo("Streams keep the gateway honest.");
        assertThat(messages.data().get(1).runId()).hasValue(completed.get(0).id());
    }

    @Test
    void eventsComeInTheAssistantsOrderAndEndWithDone() {
        Assistant assistant = assistant("run-text", false);
        Thread thread = threadWith("Order please");
        String body = gw.send(gw.post("/v1/threads/" + thread.id() + "/runs",
                "{\"assistant_id\":\"" + assistant.id() + "\",\"stream\":true}")).body();
        List<String> events = SseFrames.parse(body).stream().map(SseFrame::event).distinct().toList();
        assertThat(events).containsExactly("thread.run.created", "thread.run.queued", "thread.run.in_progress",
                "thread.run.step.created", "thread.run.step.in_progress", "thread.message.created",
                "thread.message.in_progress", "thread.message.delta", "thread.message.completed",
                "thread.run.step.completed", "thread.run.completed", "done");
        assertThat(body).endsWith("event: done\ndata: [DONE]\n\n");
    }

    @Test
    void aFunctionCallStopsTheRunAndSubmittedOutputsContinueIt() {
        Assistant assistant = assistant("gpt-4o-mini;tool=get_weather", true);
        Thread thread = threadWith("Weather in Paris?");
        List<Run> waiting = new ArrayList<>();
        StringBuilder arguments = new StringBuilder();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().runs().createStreaming(thread.id(),
                RunCreateParams.builder().assistantId(assistant.id()).build())) {
            stream.stream().forEach(event -> {
                event.threadRunRequiresAction().ifPresent(e -> waiting.add(e.data()));
                event.threadRunStepDelta().ifPresent(d -> d.data().delta().stepDetails().flatMap(s -> s.toolCalls())
                        .ifPresent(tc -> tc.toolCalls().orElse(List.of()).forEach(call -> call.function()
                                .flatMap(f -> f.function()).flatMap(f -> f.arguments()).ifPresent(arguments::append))));
            });
        }
        assertThat(waiting).singleElement().satisfies(run -> assertThat(run.status()).isEqualTo(RunStatus.REQUIRES_ACTION));
        var call = waiting.get(0).requiredAction().orElseThrow().submitToolOutputs().toolCalls().get(0);
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(call.function().arguments()).isEqualTo("{\"location\":\"Paris\"}").isEqualTo(arguments.toString());

        StringBuilder text = new StringBuilder();
        List<Run> completed = new ArrayList<>();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().runs().submitToolOutputsStreaming(
                RunSubmitToolOutputsParams.builder().threadId(thread.id()).runId(waiting.get(0).id())
                        .addToolOutput(RunSubmitToolOutputsParams.ToolOutput.builder().toolCallId(call.id()).output("sunny, 21 C").build())
                        .build())) {
            stream.stream().forEach(event -> {
                appendText(event, text);
                event.threadRunCompleted().ifPresent(e -> completed.add(e.data()));
            });
        }
        assertThat(text).hasToString("The tool returned: sunny, 21 C");
        assertThat(completed).singleElement().satisfies(run -> assertThat(run.id()).isEqualTo(waiting.get(0).id()));
        var steps = sdk.beta().threads().runs().steps().list(completed.get(0).id(),
                StepListParams.builder().threadId(thread.id()).order(StepListParams.Order.ASC).build()).data();
        assertThat(steps).hasSize(2);
        assertThat(steps.get(0).stepDetails().toolCalls().orElseThrow().toolCalls().get(0).asFunction().function().output())
                .hasValue("sunny, 21 C");
        assertThat(steps.get(1).stepDetails().isMessageCreation()).isTrue();
    }

    @Test
    void createAndRunStartsWithTheNewThread() {
        Assistant assistant = assistant("run-text", false);
        List<String> first = new ArrayList<>();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().createAndRunStreaming(ThreadCreateAndRunParams.builder()
                .assistantId(assistant.id()).thread(ThreadCreateAndRunParams.Thread.builder()
                        .addMessage(ThreadCreateAndRunParams.Thread.Message.builder()
                                .role(ThreadCreateAndRunParams.Thread.Message.Role.USER).content("Hi").build()).build())
                .build())) {
            stream.stream().forEach(event -> {
                if (first.isEmpty()) first.add(event.threadCreated().isPresent() ? "thread.created" : "other");
            });
        }
        assertThat(first).containsExactly("thread.created");
    }

    @Test
    void aRunThatFailsUpstreamEndsFailedWithItsError() {
        Assistant assistant = assistant("gpt-4o-mini;fail=500", false);
        Thread thread = threadWith("x");
        List<Run> failed = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().runs().createStreaming(thread.id(),
                RunCreateParams.builder().assistantId(assistant.id()).build())) {
            stream.stream().forEach(event -> {
                event.threadRunFailed().ifPresent(e -> failed.add(e.data()));
                event.errorEvent().ifPresent(e -> errors.add(e.data().message()));
            });
        }
        assertThat(errors).singleElement().asString().contains("HTTP 500");
        assertThat(failed).singleElement().satisfies(run -> {
            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.lastError()).hasValueSatisfying(e -> assertThat(e.code().asString()).isEqualTo("server_error"));
        });
    }

    @Test
    void aRunCanBeCancelledAndPolledWithoutStreaming() throws Exception {
        Assistant assistant = assistant("run-slow", false);
        Thread thread = threadWith("long answer");
        Run run = sdk.beta().threads().runs().create(thread.id(), RunCreateParams.builder().assistantId(assistant.id()).build());
        assertThat(run.status()).isEqualTo(RunStatus.QUEUED);
        java.lang.Thread.sleep(300);
        Run cancelling = sdk.beta().threads().runs().cancel(run.id(), RunCancelParams.builder().threadId(thread.id()).build());
        assertThat(cancelling.status()).isIn(RunStatus.CANCELLING, RunStatus.CANCELLED);
        String stream = gw.send(gw.get(RunStreamRoutes.PREFIX + thread.id() + "/" + run.id())).body();
        assertThat(stream).contains("event: thread.run.cancelling", "event: thread.run.cancelled");
        Run later = poll(thread.id(), run.id());
        assertThat(later.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(later.cancelledAt()).isPresent();
        // Cancelling stopped the upstream response: the emulator saw its caller hang up.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (gw.emulator.observations().clientCancelledResponses().isEmpty() && System.nanoTime() < deadline) {
            java.lang.Thread.sleep(50);
        }
        assertThat(gw.emulator.observations().clientCancelledResponses()).isNotEmpty();
    }

    @Test
    void aRunGoesOnWhenItsStreamingClientLeaves() throws Exception {
        Assistant assistant = assistant("run-medium", false);
        Thread thread = threadWith("keep going");
        var response = gw.open(gw.post("/v1/threads/" + thread.id() + "/runs",
                "{\"assistant_id\":\"" + assistant.id() + "\",\"stream\":true}"));
        var reader = new dev.switchboard.stream.SseReader(response.body());
        String runId = null;
        while (runId == null) {
            var frame = reader.next();
            if ("thread.run.created".equals(frame.event())) runId = SseFrames.json(frame).path("id").asText();
        }
        response.body().close();
        String body = gw.send(gw.get(RunStreamRoutes.PREFIX + thread.id() + "/" + runId)).body();
        assertThat(body).contains("event: thread.run.completed").endsWith("event: done\ndata: [DONE]\n\n");
    }

    @Test
    void aRunOverItsPromptTokenLimitEndsIncomplete() {
        Assistant assistant = assistant("run-text", false);
        Thread thread = threadWith("word ".repeat(300));
        List<Run> incomplete = new ArrayList<>();
        try (StreamResponse<AssistantStreamEvent> stream = sdk.beta().threads().runs().createStreaming(thread.id(),
                RunCreateParams.builder().assistantId(assistant.id()).maxPromptTokens(256).build())) {
            stream.stream().forEach(event -> event.threadRunIncomplete().ifPresent(e -> incomplete.add(e.data())));
        }
        assertThat(incomplete).singleElement().satisfies(run -> {
            assertThat(run.status()).isEqualTo(RunStatus.INCOMPLETE);
            assertThat(run.incompleteDetails()).hasValueSatisfying(d -> assertThat(d.reason()).hasValueSatisfying(
                    r -> assertThat(r.asString()).isEqualTo("max_prompt_tokens")));
        });
    }

    @Test
    void aRunCutByMaxCompletionTokensEndsItsMessageIncompleteToo() {
        Assistant assistant = assistant("gpt-4o-mini;tokens=300", false);
        Thread thread = threadWith("Say something");
        String body = gw.send(gw.post("/v1/threads/" + thread.id() + "/runs",
                "{\"assistant_id\":\"" + assistant.id() + "\",\"stream\":true,\"max_completion_tokens\":256}")).body();
        List<SseFrame> frames = SseFrames.parse(body);
        List<String> events = frames.stream().map(SseFrame::event).toList();
        assertThat(events).as(body).contains("thread.message.incomplete", "thread.run.incomplete").doesNotContain("thread.message.completed");
        var message = SseFrames.json(frames.stream().filter(f -> "thread.message.incomplete".equals(f.event())).findFirst().orElseThrow());
        assertThat(message.path("status").asText()).isEqualTo("incomplete");
        assertThat(message.path("incomplete_details").path("reason").asText()).isEqualTo("max_tokens");
        assertThat(message.path("content").get(0).path("text").path("value").asText().split(" ")).hasSize(256);
        var run = SseFrames.json(frames.stream().filter(f -> "thread.run.incomplete".equals(f.event())).findFirst().orElseThrow());
        assertThat(run.path("incomplete_details").path("reason").asText()).isEqualTo("max_completion_tokens");
        var stored = sdk.beta().threads().messages().list(thread.id()).data();
        assertThat(stored.getFirst().status().asString()).isEqualTo("incomplete");
    }

    @Test
    void aRunsToolChoiceIsObeyedByTheModel() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\",\"unit\"]}";
        String assistant = dev.switchboard.web.Json.MAPPER.readTree(gw.send(gw.post("/v1/assistants",
                "{\"model\":\"gpt-4o-mini\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}},"
                        + "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":" + schema + "}}]}")).body())
                .path("id").asText();
        // A named function is called, with arguments its schema accepts, though nothing is scripted.
        Thread named = threadWith("Hello there");
        String body = gw.send(gw.post("/v1/threads/" + named.id() + "/runs", "{\"assistant_id\":\"" + assistant + "\",\"stream\":true,"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}}")).body();
        var waiting = SseFrames.json(SseFrames.parse(body).stream().filter(f -> "thread.run.requires_action".equals(f.event()))
                .findFirst().orElseThrow(() -> new AssertionError(body)));
        var call = waiting.path("required_action").path("submit_tool_outputs").path("tool_calls").get(0).path("function");
        assertThat(call.path("name").asText()).isEqualTo("get_weather");
        var arguments = dev.switchboard.web.Json.MAPPER.readTree(call.path("arguments").asText());
        assertThat(arguments.path("city").isTextual()).isTrue();
        assertThat(arguments.path("unit").asText()).isEqualTo("celsius");
        // "none" never calls, even when the user asks for what a tool does.
        Thread none = threadWith("What is the weather in Paris?");
        String answered = gw.send(gw.post("/v1/threads/" + none.id() + "/runs", "{\"assistant_id\":\"" + assistant
                + "\",\"stream\":true,\"tool_choice\":\"none\"}")).body();
        assertThat(answered).contains("event: thread.run.completed").doesNotContain("event: thread.run.requires_action");
    }

    @Test
    void aRunWaitingForToolOutputsPastItsExpiryExpires() {
        Assistant assistant = assistant("gpt-4o-mini;tool=get_weather", true);
        Thread thread = threadWith("Weather?");
        String body = gw.send(gw.post("/v1/threads/" + thread.id() + "/runs",
                "{\"assistant_id\":\"" + assistant.id() + "\",\"stream\":true}")).body();
        String runId = SseFrames.json(SseFrames.parse(body).stream().filter(f -> "thread.run.requires_action".equals(f.event()))
                .findFirst().orElseThrow()).path("id").asText();
        gw.gateway.database().jdbi().useHandle(h -> h.createUpdate(
                "update runs set body = jsonb_set(body, '{expires_at}', to_jsonb(1)) where id = :id").bind("id", runId).execute());

        var refused = gw.send(gw.post("/v1/threads/" + thread.id() + "/runs/" + runId + "/submit_tool_outputs",
                "{\"tool_outputs\":[]}"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("expired");
        Run run = sdk.beta().threads().runs().retrieve(runId, RunRetrieveParams.builder().threadId(thread.id()).build());
        assertThat(run.status()).isEqualTo(RunStatus.EXPIRED);
        var steps = sdk.beta().threads().runs().steps().list(runId, StepListParams.builder().threadId(thread.id()).build()).data();
        assertThat(steps).anySatisfy(step -> assertThat(step.expiredAt()).isPresent());
    }

    /** Appends the text of a thread.message.delta event; other events are ignored. */
    private static void appendText(AssistantStreamEvent event, StringBuilder text) {
        event.threadMessageDelta().ifPresent(d -> d.data().delta().content().orElse(List.of())
                .forEach(part -> part.text().flatMap(t -> t.text()).flatMap(t -> t.value()).ifPresent(text::append)));
    }

    private static Run poll(String threadId, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        Run run;
        do {
            java.lang.Thread.sleep(100);
            run = sdk.beta().threads().runs().retrieve(runId, RunRetrieveParams.builder().threadId(threadId).build());
        } while (!run.status().equals(RunStatus.CANCELLED) && !run.status().equals(RunStatus.COMPLETED) && System.nanoTime() < deadline);
        return run;
    }

    private static Assistant assistant(String model, boolean weatherTool) {
        var builder = AssistantCreateParams.builder().model(model).instructions("Be brief.");
        if (weatherTool) {
            builder.addTool(FunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                    .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
                    .build()).build());
        }
        return sdk.beta().assistants().create(builder.build());
    }

    private static Thread threadWith(String userText) {
        return sdk.beta().threads().create(ThreadCreateParams.builder().addMessage(ThreadCreateParams.Message.builder()
                .role(ThreadCreateParams.Message.Role.USER).content(userText).build()).build());
    }
}
