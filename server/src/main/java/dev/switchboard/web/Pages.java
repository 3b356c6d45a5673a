package dev.switchboard.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's own pages, kept as resources under {@code pages/} and read once. They hold no secret: each asks its
 * user for a gateway key and calls the API with it, so they are served without authentication.
 */
public final class Pages {
    private Pages() {}

    /** A handler serving the page {@code pages/name}, read now so that a missing page fails at start-up. */
    public static io.javalin.http.Handler page(String name) {
        String html = read(name);
        return (Context ctx) -> ctx.header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; media-src 'self' blob:; connect-src 'self'")
                .html(html);
    }

    private static String read(String name) {
        try (InputStream in = Pages.class.getResourceAsStream("/pages/" + name)) {
            if (in == null) throw new IllegalStateException("The page 'pages/" + name + "' is missing from the build.");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
