package dev.switchboard.mcp;

import dev.switchboard.pipeline.Admission;
import dev.switchboard.pipeline.Admitted;
import dev.switchboard.pipeline.ApiRoute;
import dev.switchboard.web.GatewayException;
import dev.switchboard.web.Json;
import dev.switchboard.web.RequestIds;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Admits MCP requests through the gateway's one admission, as every other route (a servlet of its own cannot use
 * Javalin's handlers): a gateway key, the key's limits, and one request-log row; passes the caller to the tools.
 */
final class McpAuthFilter implements Filter {
    static final String CALLER = "switchboard.caller";
    /** How {@code /mcp} is declared: any key, limited and recorded as {@code /mcp}. */
    static final ApiRoute ROUTE = ApiRoute.key().endpoint("/mcp");

    private final Admission admission;

    McpAuthFilter(Admission admission) {
        this.admission = admission;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        HttpServletResponse out = (HttpServletResponse) response;
        Admitted admitted;
        try {
            admitted = admission.admit(ROUTE, Admission.Incoming.ofHeaders(http::getHeader, http.getRequestURI()),
                    RequestIds.next());
        } catch (GatewayException refused) {
            out.setStatus(refused.status());
            out.setContentType("application/json");
            if (refused.retryAfterSeconds() != null) out.setHeader("Retry-After", String.valueOf(refused.retryAfterSeconds()));
            String body = Json.write(Json.error(refused.getMessage(), refused.type(), refused.param(), refused.code()));
            out.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            return;
        }
        http.setAttribute(CALLER, admitted.caller());
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            admission.ended(admitted, 500, e);
            throw e;
        }
        admission.ended(admitted, out.getStatus(), null);
    }
}
