package dev.switchboard.ownership;

import dev.switchboard.web.GatewayException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The kinds of OpenAI objects that belong to an owner. The stored names of {@link #RESPONSE} and
 * {@link #CONVERSATION} are those the gateway has recorded since it first kept owners; the others are new and, once
 * used, never renamed.
 */
final class ApiKinds {
    static final ApiKind RESPONSE = new ApiKind(new OwnedKind("response", "Response"), "resp_", "response_id",
            ApiKind.withIdNotFound("Response"));
    static final ApiKind CONVERSATION = new ApiKind(new OwnedKind("conversation", "Conversation"), "conv_",
            "conversation_id", ApiKind.withIdNotFound("Conversation"));
    /** As OpenAI (and the emulator) answer them: "No such File object: file-x", param {@code id}, no code. */
    static final ApiKind FILE = new ApiKind(new OwnedKind("file", "File"), "file-", "file_id",
            ApiKind.withoutCode(id -> "No such File object: " + id, "id"));
    static final ApiKind UPLOAD = new ApiKind(new OwnedKind("upload", "Upload"), "upload_", "upload_id",
            ApiKind.withoutCode(id -> "No such Upload object: " + id, "id"));
    static final ApiKind BATCH = new ApiKind(new OwnedKind("batch", "Batch"), "batch_", "batch_id",
            ApiKind.withoutCode(id -> "No batch found with id '" + id + "'.", "id"));
    static final ApiKind VECTOR_STORE = new ApiKind(new OwnedKind("vector_store", "Vector store"), "vs_",
            "vector_store_id", ApiKind.withoutCode(id -> "No vector store found with id '" + id + "'.", "vector_store_id"));
    static final ApiKind FINE_TUNING_JOB = new ApiKind(new OwnedKind("fine_tuning_job", "Fine-tuning job"), "ftjob-",
            "fine_tuning_job_id", ApiKind.withIdNotFound("Fine-tuning job"));
    static final ApiKind CONTAINER = new ApiKind(new OwnedKind("container", "Container"), "cntr_", "container_id",
            ApiKind.withIdNotFound("Container"));
    static final ApiKind EVAL = new ApiKind(new OwnedKind("eval", "Eval"), "eval_", "eval_id",
            ApiKind.withIdNotFound("Eval"));
    static final ApiKind VIDEO = new ApiKind(new OwnedKind("video", "Video"), "video_", "video_id",
            ApiKind.withIdNotFound("Video"));
    /** Stored chat completions ({@code store: true}); every completion's id is recorded, as it cannot be told. */
    static final ApiKind CHAT_COMPLETION = new ApiKind(new OwnedKind("chat_completion", "Chat completion"),
            "chatcmpl-", "completion_id", ApiKind.withIdNotFound("Chat completion"));
    static final ApiKind SKILL = new ApiKind(new OwnedKind("skill", "Skill"), null, "skill_id",
            ApiKind.withIdNotFound("Skill"));
    static final ApiKind VIDEO_CHARACTER = new ApiKind(new OwnedKind("video_character", "Character"), null,
            "character_id", ApiKind.withIdNotFound("Character"));
    static final ApiKind VOICE_CONSENT = new ApiKind(new OwnedKind("voice_consent", "Voice consent"), null,
            "consent_id", ApiKind.withIdNotFound("Voice consent"));
    /** Realtime calls: a WebRTC call's id comes in a header, a SIP call's in a webhook, so none is seen created. */
    static final ApiKind REALTIME_CALL = new ApiKind(new OwnedKind("realtime_call", "Call"), null, "call_id",
            ApiKind.withIdNotFound("Call"));
    static final ApiKind CHATKIT_SESSION = new ApiKind(new OwnedKind("chatkit_session", "ChatKit session"), "cksess_",
            "session_id", ApiKind.withIdNotFound("ChatKit session"));
    /** ChatKit threads are created by ChatKit's own front end, never through the gateway: nobody's. */
    static final ApiKind CHATKIT_THREAD = new ApiKind(new OwnedKind("chatkit_thread", "ChatKit thread"), "cthr_",
            "thread_id", ApiKind.withIdNotFound("ChatKit thread"));
    /**
     * A fine-tuned model (or checkpoint), recorded from its job. Only deleting one is owned: using a model is the
     * organisation's, as {@code /v1/models} lists them all and each key's allowed models govern their use.
     */
    static final ApiKind MODEL = new ApiKind(new OwnedKind("model", "Model"), null, "model",
            (id, param) -> new GatewayException(404, "invalid_request_error", "model_not_found", "model",
                    "The model '" + id + "' does not exist"));
    /**
     * An item of a response or a conversation ({@code msg_…}, {@code fc_…}, {@code rs_…}): recorded from the answers
     * that hand it out, checked where a request references one by id ({@code {"type": "item_reference", "id"}}),
     * since OpenAI then puts its content into the new response. Its prefixes are shared by many kinds: none is claimed.
     */
    static final ApiKind ITEM = new ApiKind(new OwnedKind("item", "Item"), null, "item_id",
            ApiKind.withIdNotFound("Item"));
    /** An object of an endpoint the gateway does not know, recognised by the shape of its id. */
    static final ApiKind OBJECT = new ApiKind(new OwnedKind("object", "Object"), null, "id",
            ApiKind.withIdNotFound("Object"));

    static final List<ApiKind> ALL = List.of(RESPONSE, CONVERSATION, FILE, UPLOAD, BATCH, VECTOR_STORE, FINE_TUNING_JOB,
            CONTAINER, EVAL, VIDEO, CHAT_COMPLETION, SKILL, VIDEO_CHARACTER, VOICE_CONSENT, REALTIME_CALL, CHATKIT_SESSION,
            CHATKIT_THREAD, MODEL, ITEM, OBJECT);

    /**
     * What an OpenAI object id looks like: a lower-case prefix, {@code _} or {@code -}, then 8 or more letters and
     * digits with at least one digit ({@code resp_68af…}, {@code file-AbC1…}). Model names ({@code gpt-4o-mini},
     * {@code text-embedding-3-small}) and path words ({@code input_items}, {@code client_secrets}) do not.
     */
    private static final Pattern LOOKS_LIKE_ID = Pattern.compile("[a-z]{2,}(?:_[a-z]+)*[_-](?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{8,200}");

    private ApiKinds() {}

    /** The kind whose prefix {@code id} has; null when none has. */
    static ApiKind byPrefix(String id) {
        for (ApiKind kind : ALL) {
            if (kind.prefix() != null && id.startsWith(kind.prefix()) && id.length() > kind.prefix().length()) return kind;
        }
        return null;
    }

    /**
     * The kind of an id met where no rule says what it names: null unless it looks like an OpenAI id (so that a new
     * path word such as {@code eval_settings} is not taken for an eval), then its prefix's kind, else {@link #OBJECT}.
     */
    static ApiKind recognised(String id) {
        if (!LOOKS_LIKE_ID.matcher(id).matches()) return null;
        ApiKind kind = byPrefix(id);
        return kind != null ? kind : OBJECT;
    }
}
