package dev.switchboard.agent;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tools agents may use, by name. OpenAI function names allow only letters, digits, '_' and '-', so a tool's
 * dots become double underscores on the wire ({@code document.vision_ocr} is {@code document__vision_ocr}).
 */
public final class ToolRegistry {
    private final Map<String, AgentTool> byName = new ConcurrentHashMap<>();

    public void register(AgentTool tool) {
        byName.put(tool.name(), tool);
    }

    public Optional<AgentTool> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The tool a model called, by its function name. */
    public Optional<AgentTool> byFunctionName(String functionName) {
        return find(functionName.replace("__", "."));
    }

    public Collection<AgentTool> all() {
        return byName.values();
    }

    static String functionName(AgentTool tool) {
        return tool.name().replace(".", "__");
    }
}
