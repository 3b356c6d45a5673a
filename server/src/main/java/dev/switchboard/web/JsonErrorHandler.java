package dev.switchboard.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself, before any route runs (a request that is not valid HTTP, headers over the
 * limit, a URI too long), as OpenAI-shaped JSON like every other error of the gateway, never an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status).getBytes(StandardCharsets.UTF_8));
    }

    /** Every method gets the JSON body: Jetty's default sends an empty one except for GET, POST and HEAD. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // The request was refused before its body was read (a URI with a NUL, say): the unread body would be taken
        // for the next request, and a client reusing the connection would get no answer. Say that it closes.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body(code).getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String body(int status) {
        return switch (status) {
            case 431 -> error("request_headers_too_large", "The request's headers are larger than this gateway accepts; "
                    + "send fewer or smaller headers.");
            case 414 -> error("uri_too_long", "The request's URI is longer than this gateway accepts.");
            case 413 -> error("request_too_large", "The request body is larger than this gateway accepts (SWITCHBOARD_MAX_BODY_BYTES).");
            case 408 -> error("request_timeout", "The request was not received in time; send it again.");
            default -> status >= 500 ? Json.write(Json.error("The gateway could not handle the request.", "server_error", null, null))
                    : error("invalid_http", "The request is not valid HTTP (status " + status + ").");
        };
    }

    private static String error(String code, String message) {
        return Json.write(Json.error(message, "invalid_request_error", null, code));
    }
}
