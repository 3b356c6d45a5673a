package dev.switchboard.emulator;

import dev.switchboard.emulator.models.ModelsApi;
import dev.switchboard.emulator.media.Faults;
import io.javalin.http.Context;
import java.io.IOException;

/** The media endpoints' view of the scripts: the same failures, directives and registrations as Chat Completions. */
final class ScriptedFaults implements Faults {
    private final ScriptBook scripts;

    ScriptedFaults(ScriptBook scripts) {
        this.scripts = scripts;
    }

    @Override
    public String baseModel(String model) {
        int semicolon = model.indexOf(';');
        return semicolon < 0 ? model : model.substring(0, semicolon);
    }

    @Override
    public boolean failed(Context ctx, String model) throws IOException {
        Script script = scripts.forRequest(ctx, model);
        if (script.failStatus() == null || !scripts.failures().fails(model)) return false;
        ApiErrors.scripted(ctx, script);
        return true;
    }

    @Override
    public boolean scripted(Context ctx, String model) {
        return scripts.knows(ctx, model) && !ModelsApi.served(baseModel(model));
    }
}
