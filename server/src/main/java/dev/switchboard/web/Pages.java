package dev.switchboard.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The gateway's own pages and their assets, kept as resources under {@code pages/} and {@code assets/}, read once at
 * start-up (a missing file fails the start, not a visitor). Pages share one header and sign-in form
 * ({@code pages/chrome.html}). They hold no secret: each asks its user for a gateway key and calls the API with
 * it, so they are served without authentication, under a policy that allows only this gateway's own scripts.
 */
public final class Pages {
    private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
    private static final String[] ASSETS = {"app.css", "session.js", "sse.js", "realtime-client.js", "realtime-page.js",
            "agent-chat.js", "admin.js"};

    private Pages() {}

    /** Serves each page at its path, and {@code /assets/{name}}. */
    public static void register(RoutesConfig routes, Map<String, String> pagesByPath) {
        String chrome = read("pages/chrome.html");
        pagesByPath.forEach((path, file) -> routes.get(path, page(read("pages/" + file), chrome, path)));
        for (String asset : ASSETS) {
            String body = read("assets/" + asset);
            String type = TYPES.get(asset.substring(asset.lastIndexOf('.') + 1));
            routes.get("/assets/" + asset, ctx -> ctx.header("Cache-Control", "no-cache").contentType(type).result(body));
        }
    }

    /** Serves a resource as it is, without authentication: {@code /openapi.json}. */
    public static void resource(RoutesConfig routes, String path, String resource, String contentType) {
        String body = read(resource);
        routes.get(path, ctx -> ctx.header("Cache-Control", "no-cache").contentType(contentType).result(body));
    }

    private static Handler page(String html, String chrome, String path) {
        String assembled = html.replace("<!-- chrome -->",
                chrome.replace("href=\"" + path + "\"", "href=\"" + path + "\" aria-current=\"page\""));
        return (Context ctx) -> ctx.header("Cache-Control", "no-cache").header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").html(assembled);
    }

    private static String read(String resource) {
        try (InputStream in = Pages.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalStateException("The resource '" + resource + "' is missing from the build.");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
