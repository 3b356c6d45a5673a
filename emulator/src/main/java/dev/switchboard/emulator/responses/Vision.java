package dev.switchboard.emulator.responses;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The emulator's deterministic "vision": the text of an image is what its PNG {@code tEXt} chunk with the keyword
 * {@code Switchboard-Text} says (tests make such images), else a description of the image's size and type.
 */
final class Vision {
    private static final String KEYWORD = "Switchboard-Text";

    private Vision() {}

    /** The text of every {@code input_image} in the input, joined, or null when there is none. */
    static String read(JsonNode input) {
        StringBuilder text = null;
        for (JsonNode item : input) {
            for (JsonNode part : item.path("content")) {
                if (!part.path("type").asText().equals("input_image")) continue;
                String url = part.path("image_url").asText("");
                if (text == null) text = new StringBuilder();
                else text.append('\n');
                text.append(describe(url));
            }
        }
        return text == null ? null : text.toString();
    }

    private static String describe(String url) {
        int comma = url.indexOf(',');
        if (!url.startsWith("data:") || comma < 0) return "An image at a URL the emulator does not fetch.";
        byte[] bytes = Base64.getDecoder().decode(url.substring(comma + 1));
        String embedded = pngText(bytes);
        if (embedded != null) return embedded;
        return "No readable text: a " + url.substring(5, url.indexOf(';')) + " image of " + bytes.length + " bytes.";
    }

    /** The value of the PNG tEXt chunk named Switchboard-Text, or null. */
    static String pngText(byte[] b) {
        if (b.length < 8 || (b[0] & 0xff) != 0x89 || b[1] != 'P') return null;
        int at = 8;
        while (at + 8 <= b.length) {
            int length = ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
            String type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
            int data = at + 8;
            if (length < 0 || data + length > b.length) return null;
            if (type.equals("tEXt")) {
                String chunk = new String(b, data, length, StandardCharsets.ISO_8859_1);
                int zero = chunk.indexOf('\0');
                if (zero > 0 && chunk.substring(0, zero).equals(KEYWORD)) return chunk.substring(zero + 1);
            }
            at = data + length + 4;
        }
        return null;
    }
}
