package dev.switchboard.emulator.images;

import dev.switchboard.emulator.Ids;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The images answered by URL (the dall-e models' default), served at {@code GET /_emulator/images/{id}.png} without
 * a key, as OpenAI's signed blob URLs are. Only the latest {@link #CAPACITY} are kept: a URL expires, upstream too.
 */
final class ImageStore {
    static final int CAPACITY = 64;
    private final Map<String, byte[]> images = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized String put(byte[] png) {
        String id = Ids.next("img-");
        images.put(id, png);
        return id;
    }

    synchronized Optional<byte[]> get(String id) {
        return Optional.ofNullable(images.get(id));
    }
}
