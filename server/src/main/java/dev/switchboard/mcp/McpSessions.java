package dev.switchboard.mcp;

import dev.switchboard.auth.Caller;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * MCP sessions belong to the owner of the key that opened them. The SDK makes a session at {@code initialize} and
 * names it in the {@code Mcp-Session-Id} header of its answer; this filter notes whose it is then, and answers any
 * other owner's use of it (a call, the GET stream, DELETE) exactly as an unknown session: 404. Sessions live in the
 * memory of the instance that made them, and so does this map; a DELETE forgets the session.
 */
final class McpSessions implements Filter {
    static final String HEADER = "Mcp-Session-Id";

    private final Map<String, String> owners = new ConcurrentHashMap<>();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        Caller caller = (Caller) http.getAttribute(McpAuthFilter.CALLER);
        String session = http.getHeader(HEADER);
        if (session != null) {
            String owner = owners.get(session);
            if (owner != null && !owner.equals(ownerOf(caller))) {
                McpErrors.write((HttpServletResponse) response, 404, McpErrors.SESSION_NOT_FOUND, McpErrors.NO_SESSION);
                return;
            }
        }
        chain.doFilter(request, new HttpServletResponseWrapper((HttpServletResponse) response) {
            @Override
            public void setHeader(String name, String value) {
                noteSession(name, value, caller);
                super.setHeader(name, value);
            }

            @Override
            public void addHeader(String name, String value) {
                noteSession(name, value, caller);
                super.addHeader(name, value);
            }
        });
        if (session != null && http.getMethod().equals("DELETE") && ((HttpServletResponse) response).getStatus() < 300) {
            owners.remove(session);
        }
    }

    private void noteSession(String name, String value, Caller caller) {
        if (HEADER.equalsIgnoreCase(name) && value != null) owners.putIfAbsent(value, ownerOf(caller));
    }

    /** The owner, or the key itself for a key that names none. */
    private static String ownerOf(Caller caller) {
        return caller.owner() != null ? caller.owner() : caller.keyId();
    }
}
