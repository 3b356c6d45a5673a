package dev.switchboard.mcp;

import dev.switchboard.auth.ApiKeys;
import dev.switchboard.auth.Caller;
import dev.switchboard.web.Json;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Admits MCP requests only with a gateway key, like every other route, and passes the caller to the tools. */
final class McpAuthFilter implements Filter {
    static final String CALLER = "switchboard.caller";

    private final ApiKeys keys;

    McpAuthFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String presented = presented(http);
        Optional<Caller> caller = presented == null ? Optional.empty() : keys.authenticate(presented);
        if (caller.isEmpty()) {
            HttpServletResponse out = (HttpServletResponse) response;
            out.setStatus(401);
            out.setContentType("application/json");
            String body = Json.write(Json.error(presented == null
                            ? "No API key provided. Send a Switchboard key as 'Authorization: Bearer <key>'."
                            : "The API key is not valid: it is unknown or has been revoked.", "invalid_request_error", null,
                    presented == null ? "missing_api_key" : "invalid_api_key"));
            out.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            return;
        }
        http.setAttribute(CALLER, caller.get());
        chain.doFilter(request, response);
    }

    private static String presented(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && authorization.length() > 7) {
            return authorization.substring(7).trim();
        }
        String apiKey = request.getHeader("X-API-Key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }
}
