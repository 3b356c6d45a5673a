package dev.switchboard.ownership;

import static dev.switchboard.ownership.ApiKinds.CONTAINER;
import static dev.switchboard.ownership.ApiKinds.ITEM;
import static dev.switchboard.ownership.ApiKinds.FILE;
import static dev.switchboard.ownership.ApiKinds.MODEL;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The rule table for answers: which ids an answer hands its caller besides its own {@code id}. OpenAI makes these
 * objects for the owner of the object that names them, so they are that owner's: a batch's output and error files,
 * a fine-tuning job's result files and model, an upload's file once completed, the container a code interpreter
 * call ran in ({@code container: {"type": "auto"}} makes one per response).
 */
final class AnswerRecords {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_\\-]{1,200}");
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,200}");

    private AnswerRecords() {}

    /** The ids {@code object} (an answer, a list's item, a stream event's object) hands on, with their kinds. */
    static void derived(JsonNode object, BiConsumer<ApiKind, String> each) {
        if (object == null || !object.isObject()) return;
        switch (object.path("object").asText("")) {
            case "list" -> object.path("data").forEach(item -> derived(item, each));
            case "batch" -> {
                text(object, "output_file_id", FILE, each);
                text(object, "error_file_id", FILE, each);
            }
            case "fine_tuning.job" -> {
                object.path("result_files").forEach(file -> {
                    if (file.isTextual() && ID.matcher(file.asText()).matches()) each.accept(FILE, file.asText());
                });
                text(object, "fine_tuned_model", MODEL, each);
            }
            case "fine_tuning.job.checkpoint" -> text(object, "fine_tuned_model_checkpoint", MODEL, each);
            case "upload" -> text(object.path("file"), "id", FILE, each);
            case "response" -> object.path("output").forEach(item -> item(item, each));
            default -> item(object, each);
        }
    }

    /**
     * An item (a response's output or input, a conversation's): its own id, which a later request may reference, and
     * for a code interpreter call the container it ran in. Items are told by their {@code type} and lack of
     * {@code object}.
     */
    static void item(JsonNode item, BiConsumer<ApiKind, String> each) {
        if (item.path("type").isTextual() && !item.has("object")) text(item, "id", ITEM, each);
        if ("code_interpreter_call".equals(item.path("type").asText())) text(item, "container_id", CONTAINER, each);
    }

    private static void text(JsonNode object, String field, ApiKind kind, BiConsumer<ApiKind, String> each) {
        JsonNode value = object.get(field);
        if (value == null || !value.isTextual()) return;
        if ((kind == MODEL ? MODEL_ID : ID).matcher(value.asText()).matches()) each.accept(kind, value.asText());
    }
}
