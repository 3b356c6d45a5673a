package dev.switchboard.emulator.images;

import java.util.List;
import java.util.Map;

/** What each image model takes and answers, as OpenAI documents it. */
record ImageModel(String name, boolean gpt, List<String> sizes, String defaultSize, List<String> qualities,
                  int maxPrompt, int maxImages) {
    static final List<String> GPT_MODELS = List.of("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2",
            "chatgpt-image-latest");

    static ImageModel of(String model) {
        String base = model.replaceFirst("-\\d{4}-\\d{2}-\\d{2}$", "");
        return switch (base) {
            case "dall-e-2" -> new ImageModel(model, false, List.of("256x256", "512x512", "1024x1024"), "1024x1024",
                    List.of("standard", "auto"), 1000, 10);
            case "dall-e-3" -> new ImageModel(model, false, List.of("1024x1024", "1792x1024", "1024x1792"), "1024x1024",
                    List.of("standard", "hd", "auto"), 4000, 1);
            default -> new ImageModel(model, true, List.of("1024x1024", "1536x1024", "1024x1536", "auto"), "auto",
                    List.of("low", "medium", "high", "auto"), 32000, 10);
        };
    }

    /** The quality a request for "auto" gets, as the answer reports it. */
    String resolveQuality(String quality) {
        if (!quality.equals("auto")) return quality;
        return gpt ? "high" : "standard";
    }

    String resolveSize(String size) {
        return size.equals("auto") ? "1024x1024" : size;
    }

    // Output tokens of one GPT image by size and quality (OpenAI's published table).
    private static final Map<String, Integer> SQUARE = Map.of("low", 272, "medium", 1056, "high", 4160);
    private static final Map<String, Integer> OBLONG = Map.of("low", 408, "medium", 1584, "high", 6240);

    int outputTokens(String size, String quality) {
        return (size.equals("1024x1024") ? SQUARE : OBLONG).getOrDefault(quality, 4160);
    }
}
