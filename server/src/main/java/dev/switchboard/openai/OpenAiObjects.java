package dev.switchboard.openai;

import dev.switchboard.ownership.OwnedKind;
import dev.switchboard.ownership.OwnedReference;
import dev.switchboard.web.GatewayException;

/** The OpenAI objects this capability's routes create and name, each belonging to the owner that created it. */
final class OpenAiObjects {
    static final OwnedKind RESPONSE = new OwnedKind("response", "Response");
    static final OwnedKind CONVERSATION = new OwnedKind("conversation", "Conversation");
    /** A stored chat completion ({@code store: true}), read back at {@code /v1/chat/completions/{id}}, which is forwarded. */
    static final OwnedKind CHAT_COMPLETION = new OwnedKind("chat_completion", "Chat completion");

    /** {@code previous_response_id}, refused as OpenAI refuses an unknown one: 400, not 404. */
    static final OwnedReference PREVIOUS_RESPONSE = OwnedReference.bodyField("previous_response_id", RESPONSE)
            .answering(id -> new GatewayException(400, "invalid_request_error", "previous_response_not_found",
                    "previous_response_id", "Previous response with id '" + id + "' not found."));
    /** {@code conversation}, as {@code "conv_…"} or {@code {"id": "conv_…"}}; unknown, it is a 404 as in the path. */
    static final OwnedReference BODY_CONVERSATION = OwnedReference.bodyField("conversation", CONVERSATION);
    static final OwnedReference PATH_RESPONSE = OwnedReference.path("id", RESPONSE);
    static final OwnedReference PATH_CONVERSATION = OwnedReference.path("id", CONVERSATION);

    private OpenAiObjects() {}
}
