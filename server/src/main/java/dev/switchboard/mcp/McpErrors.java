package dev.switchboard.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.web.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error {@code /mcp} answers is a JSON-RPC error object, whatever the MCP SDK wrote: the SDK serialises its
 * Java exception (class names, a stack trace) or sends an empty body. Successful answers, streams included, pass
 * through untouched; an error's body is held back and rewritten. The SDK's message is kept when it says what was
 * wrong and names nothing internal. Its 500 for a message it could not process (a missing {@code params}, a
 * {@code null} body) is the client's mistake and answers 400.
 */
final class McpErrors implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(McpErrors.class);
    /** MCP's code for a session that does not exist (the reference SDKs use it too). */
    static final int SESSION_NOT_FOUND = -32001;
    private static final long DRAIN_LIMIT = 1024 * 1024;
    private static final Pattern INTERNALS = Pattern.compile("Exception|\\.java|\\b[a-z]+\\.[a-z]+\\.[a-zA-Z]|\\bat [a-z]+\\.|\\$");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HeldErrors held = new HeldErrors((HttpServletResponse) response);
        chain.doFilter(request, held);
        if (held.status >= 400) held.rewrite((HttpServletRequest) request);
    }

    /** Writes a JSON-RPC error answer (id null: the request's own id may be what was wrong). */
    static void write(HttpServletResponse response, int status, int code, String message) throws IOException {
        ObjectNode error = Json.object().put("code", code).put("message", message);
        ObjectNode body = Json.object().put("jsonrpc", "2.0").putNull("id");
        body.set("error", error);
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** The message for a session that is unknown, ended, or another key's: one answer, so none can be told apart. */
    static final String NO_SESSION = "No MCP session has this Mcp-Session-Id for your key (it ended, or never existed). "
            + "Start a session with 'initialize' and send the Mcp-Session-Id it answers.";

    /** A response that lets success through and holds back the body of an error. */
    private static final class HeldErrors extends HttpServletResponseWrapper {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status = 200;

        HeldErrors(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int sc) {
            status = sc;
            if (sc < 400) super.setStatus(sc);
        }

        @Override
        public int getStatus() {
            return status;
        }

        @Override
        public void sendError(int sc) {
            status = sc;
        }

        @Override
        public void sendError(int sc, String msg) {
            status = sc;
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            return status >= 400 ? new Held(body) : super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            return status >= 400 ? new PrintWriter(body, true, StandardCharsets.UTF_8) : super.getWriter();
        }

        @Override
        public void setContentLength(int len) {
            if (status < 400) super.setContentLength(len);
        }

        @Override
        public void setContentLengthLong(long len) {
            if (status < 400) super.setContentLengthLong(len);
        }

        void rewrite(HttpServletRequest request) throws IOException {
            HttpServletResponse response = (HttpServletResponse) getResponse();
            if (response.isCommitted()) return;
            response.resetBuffer();
            JsonNode sdk = sdkError();
            String sdkMessage = sdk.path("message").asText("");
            int answered = status;
            int code = sdk.path("code").isInt() ? sdk.path("code").asInt() : codeFor(status);
            String message;
            if (status == 404) {
                code = SESSION_NOT_FOUND;
                message = NO_SESSION;
            } else if (status >= 500) {
                // Seen only for messages the SDK could not process (it throws on a missing params, a null body).
                LOG.warn("MCP {} {} answered {} by the SDK: {}", request.getMethod(), request.getRequestURI(), status, sdkMessage);
                answered = 400;
                code = -32602;
                message = "The message could not be processed: check its 'method' and 'params' against the MCP specification.";
            } else if (!sdkMessage.isBlank() && !INTERNALS.matcher(sdkMessage).find()) {
                message = sdkMessage;
            } else {
                message = switch (status) {
                    case 405 -> "This method is not allowed on /mcp: POST sends messages, GET opens a stream, DELETE ends a session.";
                    case 406 -> "Send 'Accept: application/json, text/event-stream'.";
                    case 415 -> "Send the message as 'Content-Type: application/json'.";
                    default -> "The message is not a valid MCP (JSON-RPC 2.0) request.";
                };
            }
            if (!drained(request)) response.setHeader("Connection", "close");
            write(response, answered, code, message);
        }

        /**
         * Reads what is left of a refused request's body (up to {@link #DRAIN_LIMIT}), so that it is not taken for
         * the next request on the connection; false when more is left, and the connection must close.
         */
        private static boolean drained(HttpServletRequest request) {
            try {
                var in = request.getInputStream();
                long skipped = 0;
                while (skipped <= DRAIN_LIMIT) {
                    long n = in.skip(DRAIN_LIMIT);
                    if (n <= 0) return in.read() < 0;
                    skipped += n;
                }
                return false;
            } catch (IOException | IllegalStateException e) {
                return false;
            }
        }

        private JsonNode sdkError() {
            if (body.size() == 0) return Json.object();
            try {
                JsonNode written = Json.parse(body.toByteArray());
                if (written.has("jsonRpcError")) return written.get("jsonRpcError");
                return written.path("error").isObject() ? written.get("error") : Json.object();
            } catch (IOException notJson) {
                return Json.object();
            }
        }

        private static int codeFor(int status) {
            return status == 404 ? SESSION_NOT_FOUND : -32600;
        }
    }

    /** An output stream into memory, for the body of an error that is rewritten. */
    private static final class Held extends ServletOutputStream {
        private final ByteArrayOutputStream into;

        Held(ByteArrayOutputStream into) {
            this.into = into;
        }

        @Override
        public void write(int b) {
            into.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            into.write(b, off, len);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        /** Memory is always ready for more: a listener is told so at once. */
        @Override
        public void setWriteListener(WriteListener listener) {
            try {
                listener.onWritePossible();
            } catch (IOException e) {
                listener.onError(e);
            }
        }
    }
}
