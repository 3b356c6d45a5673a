package dev.switchboard.emulator.media;

import io.javalin.http.Context;
import java.io.IOException;

/**
 * The emulator's scripted faults as the media endpoints use them: a model name may carry directives
 * ({@code text-embedding-3-small;fail=429}), and a request may be scripted to fail (by header, registration or
 * directive, as for every other endpoint).
 */
public interface Faults {
    /** The model name without its directives. */
    String baseModel(String model);

    /** Answers this request's scripted failure, when its script has one that applies now; whether it did. */
    boolean failed(Context ctx, String model) throws IOException;

    /** Whether a script was registered for this exact name, which then needs no model OpenAI serves. */
    boolean scripted(Context ctx, String model);
}
