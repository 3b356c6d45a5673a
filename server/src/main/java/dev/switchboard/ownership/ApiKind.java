package dev.switchboard.ownership;

import dev.switchboard.web.GatewayException;

/**
 * A kind of object of OpenAI's API that belongs to the owner whose key created it through the gateway, with how
 * OpenAI answers an id of that kind it does not know: that is the answer for another owner's id too, so that the two
 * cannot be told apart.
 *
 * @param stored    its name in {@code owned_objects.kind}; never renamed once used
 * @param prefix    how OpenAI's ids of this kind begin ({@code file-}), or null where OpenAI keeps no stable prefix;
 *                  an id with a known prefix is recognised in the path of an endpoint the gateway does not know
 * @param pathParam the spec's name for it in paths ({@code file_id}), named by a malformed id's refusal
 * @param refusal   the answer for an id of this kind that is not the caller's owner's
 */
record ApiKind(OwnedKind stored, String prefix, String pathParam, Refusal refusal) {

    /** The answer for {@code id}, named in a path ({@code param} null) or in the body field {@code param}. */
    interface Refusal {
        GatewayException unknown(String id, String param);
    }

    GatewayException unknown(String id, String bodyField) {
        return refusal.unknown(id, bodyField);
    }

    /** OpenAI's answer for the Responses family: 404 "Response with id 'X' not found.". */
    static Refusal withIdNotFound(String label) {
        return (id, param) -> new GatewayException(404, "invalid_request_error", "not_found", param,
                label + " with id '" + id + "' not found.");
    }

    /**
     * OpenAI's answer for the Files family (files, uploads, batches, vector stores): no code, {@code param} naming
     * the path parameter ({@code pathParam}) or the body field: "No batch found with id 'X'.".
     */
    static Refusal withoutCode(java.util.function.UnaryOperator<String> message, String pathParam) {
        return (id, param) -> new GatewayException(404, "invalid_request_error", null, param == null ? pathParam : param,
                message.apply(id));
    }
}
