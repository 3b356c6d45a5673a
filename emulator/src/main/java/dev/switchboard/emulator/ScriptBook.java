package dev.switchboard.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.models.ModelsApi;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Chooses the script for a request. In order: the {@code X-Emulator-Script} header (JSON), a script registered
 * for the request's model name, a script registered for text the request body contains (first registered, first
 * tried; for the model or any model), directives in the model name, then the default. Text rules let a caller
 * script many conversations at once without naming a model per reply: an evaluation plays each turn by its words.
 */
public final class ScriptBook {
    static final String HEADER = "X-Emulator-Script";

    /** A script for requests whose body contains {@code text}, for {@code model} or any model when it is "*". */
    private record TextRule(String model, String text, Script script) {}

    private final Map<String, Script> byModel = new ConcurrentHashMap<>();
    private final List<TextRule> byText = new CopyOnWriteArrayList<>();
    private final FailureCount failures = new FailureCount();

    /** How many times scripted failures have happened, for {@code fail_times}. */
    public FailureCount failures() {
        return failures;
    }

    void register(String model, Script script) {
        byModel.put(model, script);
    }

    void registerForText(String model, String text, Script script) {
        byText.add(new TextRule(model == null || model.isBlank() ? "*" : model, text, script));
    }

    void clear() {
        byModel.clear();
        byText.clear();
        failures.clear();
    }

    public Script forRequest(Context ctx, String model) throws IOException {
        return forRequest(ctx, model, "");
    }

    /**
     * As {@link #forRequest(Context, String)}, where {@code history} is what was said earlier in the conversation
     * (a Responses chain's earlier inputs). Of the text rules that match, a rule for this model beats one for any
     * model, and then the one whose text was said last wins: a conversation's second turn follows the second turn's
     * rule, and a tool's output answered after a turn still follows that turn's rule.
     */
    public Script forRequest(Context ctx, String model, String history) throws IOException {
        String header = ctx.header(HEADER);
        if (header != null && !header.isBlank()) return Script.fromJson(Json.parse(header));
        if (model != null && byModel.containsKey(model)) return byModel.get(model);
        if (!byText.isEmpty()) {
            String said = history + (ctx.body().isBlank() ? "" : said(Json.parse(ctx.body()), new StringBuilder()).toString());
            TextRule latest = null;
            int latestAt = -1;
            for (TextRule rule : byText) {
                if (!rule.model().equals("*") && !rule.model().equals(model)) continue;
                int at = said.lastIndexOf(rule.text());
                // A rule for this very model beats any rule for every model (a judge's rule, over the turns it quotes).
                boolean better = at >= 0 && (latest == null
                        || (!rule.model().equals("*") && latest.model().equals("*"))
                        || (rule.model().equals("*") == latest.model().equals("*") && at > latestAt));
                if (better) {
                    latest = rule;
                    latestAt = at;
                }
            }
            if (latest != null) return latest.script();
        }
        return forModel(model);
    }

    /**
     * Whether a request may name this model: one OpenAI serves (directives in the name aside), or one a script was
     * registered for, by name or by text, or any model when the request carries its script in a header.
     */
    public boolean knows(Context ctx, String model) {
        String header = ctx.header(HEADER);
        if (header != null && !header.isBlank()) return true;
        if (model == null) return false;
        if (byModel.containsKey(model) || ModelsApi.served(Script.baseModel(model))) return true;
        return byText.stream().anyMatch(rule -> rule.model().equals(model));
    }

    /** Every string in a JSON body, unescaped, one per line: what the request says. */
    public static StringBuilder said(JsonNode node, StringBuilder text) {
        if (node.isTextual()) text.append(node.asText()).append('\n');
        else node.forEach(child -> said(child, text));
        return text;
    }

    /** The script for a model name alone: where there are no request headers (Realtime sessions). */
    public Script forModel(String model) {
        if (model != null) {
            Script registered = byModel.get(model);
            if (registered != null) return registered;
        }
        return Script.fromModelName(model);
    }

    static Script parseRegistration(JsonNode body) {
        return Script.fromJson(body.path("script"));
    }

    /** A registration by text: {@code {"model": "*", "when_input_contains": "...", "script": {...}}}. */
    boolean registerFrom(JsonNode body) {
        String text = body.path("when_input_contains").asText("");
        if (text.isEmpty()) return false;
        registerForText(body.path("model").asText("*"), text, parseRegistration(body));
        return true;
    }
}
