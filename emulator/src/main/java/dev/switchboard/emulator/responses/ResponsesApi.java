package dev.switchboard.emulator.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.EventStream;
import dev.switchboard.emulator.Ids;
import dev.switchboard.emulator.Json;
import dev.switchboard.emulator.Observations;
import dev.switchboard.emulator.Replay;
import dev.switchboard.emulator.Reply;
import dev.switchboard.emulator.Requests;
import dev.switchboard.emulator.Script;
import dev.switchboard.emulator.ScriptBook;
import dev.switchboard.emulator.StallGate;
import dev.switchboard.emulator.ToolChoice;
import dev.switchboard.emulator.chat.ChatCompletionsApi;
import dev.switchboard.emulator.conversations.Conversations;
import dev.switchboard.emulator.conversations.ConversationsApi;
import dev.switchboard.emulator.models.ModelsApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * {@code /v1/responses}: create (streamed or not, in the foreground or in the background), retrieve, resume a
 * stream with {@code starting_after}, cancel and delete. A foreground response is cancelled when its streaming
 * client goes away; a background one keeps running.
 */
public final class ResponsesApi {
    private final ScriptBook scripts;
    private final StallGate stalls;
    private final ResponseStore store;
    private final Conversations conversations;
    private final Observations observations;

    public ResponsesApi(ScriptBook scripts, StallGate stalls, ResponseStore store, Conversations conversations,
                 Observations observations) {
        this.scripts = scripts;
        this.stalls = stalls;
        this.store = store;
        this.conversations = conversations;
        this.observations = observations;
    }

    /** Registers the /v1/responses routes. */
    public void register(RoutesConfig routes) {
        routes.post("/v1/responses", this::create);
        routes.get("/v1/responses/{id}", this::retrieve);
        routes.delete("/v1/responses/{id}", this::delete);
        routes.get("/v1/responses/{id}/input_items", this::inputItems);
        routes.post("/v1/responses/{id}/cancel", this::cancel);
    }

    void create(Context ctx) throws IOException, InterruptedException {
        JsonNode body = Requests.jsonBody(ctx);
        if (body == null) return;
        if (!body.hasNonNull("model")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "missing_required_parameter",
                    "Missing required parameter: 'model'.");
            return;
        }
        if (!scripts.knows(ctx, body.get("model").asText())) {
            ModelsApi.notFound(ctx, body.get("model").asText());
            return;
        }
        Script script = scripts.forRequest(ctx, body.get("model").asText(), history(body));
        if (script.failStatus() != null && scripts.failures().fails(body.get("model").asText())) {
            ApiErrors.scripted(ctx, script);
            return;
        }
        boolean background = body.path("background").asBoolean(false);
        if (background && !body.path("store").asBoolean(true)) {
            ApiErrors.badRequest(ctx, "Background responses require store=true.");
            return;
        }
        Conversations.Conversation conversation = null;
        String conversationId = ResponseGenerator.conversationId(body);
        if (conversationId != null) {
            conversation = conversations.get(conversationId);
            if (conversation == null) {
                ApiErrors.notFound(ctx, "Conversation with id '" + conversationId + "'");
                return;
            }
        }
        boolean stream = body.path("stream").asBoolean(false);
        if (stream && script.replay() != null) {
            Replay.frames(Files.readAllBytes(script.replay()), EventStream.open(ctx, script, stalls));
            return;
        }
        ResponseRecord record = new ResponseRecord(Ids.next("resp_"), body, Script.baseModel(body.get("model").asText()),
                background);
        ResponseGenerator generator = new ResponseGenerator(record, plan(script, body, conversation), script.delayMillis());
        record.setSnapshot(generator.response(background ? "queued" : "in_progress", false));
        store.put(record);
        Conversations.Conversation joined = conversation;
        Thread generation = Thread.ofVirtual().name("emulator-" + record.id).start(() -> {
            ArrayNode output = generator.run();
            if (joined != null && !record.cancelled()) {
                conversations.addItems(joined, inputItems(body.get("input")));
                conversations.addItems(joined, output);
            }
        });
        if (stream) {
            follow(ctx, record, -1, script);
        } else {
            if (!background) generation.join();
            json(ctx, record.snapshot());
        }
    }

    void retrieve(Context ctx) throws IOException, InterruptedException {
        ResponseRecord record = find(ctx);
        if (record == null) return;
        if ("true".equals(ctx.queryParam("stream"))) {
            follow(ctx, record, Requests.intQuery(ctx, "starting_after", -1), Script.DEFAULT);
        } else {
            json(ctx, record.snapshot());
        }
    }

    /** {@code GET /v1/responses/{id}/input_items}: the items the response was given, as a list page. */
    void inputItems(Context ctx) {
        ResponseRecord record = find(ctx);
        if (record == null) return;
        json(ctx, ConversationsApi.listPage(ctx, record.inputItems));
    }

    void cancel(Context ctx) {
        ResponseRecord record = find(ctx);
        if (record == null) return;
        if (!record.background) {
            ApiErrors.badRequest(ctx, "Only responses created with background=true can be cancelled.");
            return;
        }
        record.cancel();
        json(ctx, record.snapshot());
    }

    void delete(Context ctx) {
        ResponseRecord record = store.remove(ctx.pathParam("id"));
        if (record == null) {
            ApiErrors.notFound(ctx, "Response with id '" + ctx.pathParam("id") + "'");
            return;
        }
        record.cancel();
        json(ctx, Json.obj("id", record.id, "object", "response.deleted", "deleted", true));
    }

    /** Streams the record's events after {@code after}, live while it runs; the script's faults apply. */
    private void follow(Context ctx, ResponseRecord record, int after, Script faults) throws IOException, InterruptedException {
        EventStream events = EventStream.open(ctx, faults, stalls);
        for (int sequence = after + 1; ; sequence++) {
            String frame = record.awaitFrame(sequence);
            if (frame == null) return;
            try {
                events.sendRaw(frame.getBytes(StandardCharsets.UTF_8));
            } catch (IOException clientGone) {
                if (!record.background && record.cancel()) observations.clientCancelled(record.id);
                return;
            }
        }
    }

    private ResponseRecord find(Context ctx) {
        ResponseRecord record = store.get(ctx.pathParam("id"));
        if (record == null) ApiErrors.notFound(ctx, "Response with id '" + ctx.pathParam("id") + "'");
        return record;
    }

    private Reply plan(Script scripted, JsonNode body, Conversations.Conversation conversation) {
        ToolChoice choice = ToolChoice.read(body.get("tool_choice"), body.get("tools"));
        String lastUser = null;
        String toolOutput = null;
        int inputTokens = Reply.countWords(body.path("instructions").asText(""));
        if (conversation != null) {
            for (ObjectNode item : conversations.items(conversation)) {
                String text = ChatCompletionsApi.contentText(item.path("content"));
                inputTokens += Reply.countWords(text);
                if ("user".equals(item.path("role").asText())) lastUser = text;
            }
        }
        ResponseRecord previous = store.get(body.path("previous_response_id").asText(""));
        if (previous != null && previous.request.path("input").isTextual()) lastUser = previous.request.get("input").asText();
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            lastUser = input.asText();
            inputTokens += Reply.countWords(lastUser);
        } else {
            for (JsonNode item : input) {
                if ("function_call_output".equals(item.path("type").asText())) {
                    toolOutput = item.path("output").isTextual() ? item.get("output").asText() : Json.write(item.get("output"));
                } else if ("user".equals(item.path("role").asText())) {
                    lastUser = ChatCompletionsApi.contentText(item.path("content"));
                    inputTokens += Reply.countWords(lastUser);
                }
            }
        }
        Script script = choice.apply(scripted, lastUser);
        String seen = Vision.read(body.path("input"));
        if (seen != null && script.text() == null && script.toolCall() == null && script.toolCalls().isEmpty()) {
            return Reply.plan(new Script(seen, null, script.delayMillis(), null, null, null, null, null, null, false,
                    java.util.List.of()), lastUser, null, Math.max(1, inputTokens));
        }
        if (!script.toolCalls().isEmpty()) {
            int outputs = outputsInChain(body);
            if (outputs < script.toolCalls().size()) {
                Script next = new Script(null, null, script.delayMillis(), script.toolCalls().get(outputs), null, null, null,
                        null, null, false, java.util.List.of());
                return Reply.plan(next, lastUser, null, Math.max(1, inputTokens));
            }
        }
        return Reply.plan(script, lastUser, choice.forced() ? null : toolOutput, Math.max(1, inputTokens));
    }

    /** Function outputs sent so far: in this request and in every response it continues. */
    private int outputsInChain(JsonNode body) {
        int count = 0;
        for (JsonNode request = body; request != null; ) {
            for (JsonNode item : request.path("input")) {
                if ("function_call_output".equals(item.path("type").asText())) count++;
            }
            ResponseRecord previous = store.get(request.path("previous_response_id").asText(""));
            request = previous == null ? null : previous.request;
        }
        return count;
    }

    /** What the earlier responses of this chain were asked, oldest first: the conversation so far. */
    private String history(JsonNode body) {
        java.util.Deque<String> said = new java.util.ArrayDeque<>();
        String previous = body.path("previous_response_id").asText(null);
        for (int depth = 0; previous != null && depth < 100; depth++) {
            ResponseRecord record = store.get(previous);
            if (record == null) break;
            said.addFirst(ScriptBook.said(record.request.path("input"), new StringBuilder()).toString());
            previous = record.request.path("previous_response_id").asText(null);
        }
        return String.join("", said);
    }

    private static JsonNode inputItems(JsonNode input) {
        if (input == null || input.isMissingNode() || input.isNull()) return Json.arr();
        if (input.isTextual()) return Json.arr(Json.obj("type", "message", "role", "user", "content", input.asText()));
        return input;
    }

    private static void json(Context ctx, JsonNode node) {
        ctx.contentType("application/json").result(Json.write(node));
    }
}
