package dev.switchboard.emulator.images;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.emulator.ApiErrors;
import dev.switchboard.emulator.media.MultipartBody;
import io.javalin.http.Context;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The input images of an edit or a variation: uploaded files ({@code image}, {@code image[]}, {@code mask}) or JSON
 * references ({@code image_url}, data URLs included, and {@code file_id}), checked as OpenAI checks them.
 */
final class ImageInputs {
    static final long MAX_GPT_IMAGE_BYTES = 50L * 1024 * 1024;
    static final long MAX_DALLE_IMAGE_BYTES = 4L * 1024 * 1024;

    /** The most pixels an input image may have (OpenAI's largest outputs are 1792x1024; inputs are scaled anyway). */
    static final long MAX_PIXELS = 16L * 1024 * 1024;

    private ImageInputs() {}

    /** An input image: its bytes (decoded when the JDK can read it) or, for a reference it cannot fetch, its name. */
    record Input(byte[] bytes, BufferedImage decoded, String reference) {
        long seed() {
            return bytes != null ? Arrays.hashCode(bytes) : reference.hashCode();
        }
    }

    /** The uploaded {@code image} (or {@code image[]}) files, checked as OpenAI checks them; null after answering 400. */
    static List<Input> uploaded(Context ctx, MultipartBody form, ImageModel spec, boolean variation) {
        List<MultipartBody.Part> files = form.all("image").stream().filter(MultipartBody.Part::isFile).toList();
        if (files.isEmpty()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'image'.", "image");
            return null;
        }
        if (files.size() > (spec.gpt() ? 16 : 1)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    spec.gpt() ? "Invalid 'image': at most 16 images may be given." : spec.name() + " takes exactly one image.", "image");
            return null;
        }
        List<Input> inputs = new ArrayList<>();
        for (MultipartBody.Part file : files) {
            Input input = checked(ctx, file.bytes(), spec, "image");
            if (input == null) return null;
            inputs.add(input);
        }
        var mask = form.part("mask").filter(MultipartBody.Part::isFile);
        if (mask.isPresent()) {
            if (variation) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "unknown_parameter", "Unknown parameter: 'mask'.", "mask");
                return null;
            }
            Input maskImage = checked(ctx, mask.get().bytes(), spec, "mask");
            if (maskImage == null) return null;
            BufferedImage first = inputs.get(0).decoded();
            if (maskImage.decoded() == null || !isPng(mask.get().bytes())) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_image_format", "Invalid 'mask': it must be a PNG.", "mask");
                return null;
            }
            if (first != null && (first.getWidth() != maskImage.decoded().getWidth() || first.getHeight() != maskImage.decoded().getHeight())) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                        "Invalid 'mask': the mask and the image must have the same dimensions.", "mask");
                return null;
            }
        }
        return inputs;
    }

    private static Input checked(Context ctx, byte[] bytes, ImageModel spec, String param) {
        long max = spec.gpt() ? MAX_GPT_IMAGE_BYTES : MAX_DALLE_IMAGE_BYTES;
        if (bytes.length > max) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "image_too_large", "Invalid '" + param + "': the image is "
                    + bytes.length + " bytes; " + spec.name() + " takes images under " + (max / (1024 * 1024)) + " MB.", param);
            return null;
        }
        BufferedImage decoded = decode(bytes);
        boolean webp = bytes.length > 12 && new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(bytes, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP");
        if (!spec.gpt()) {
            if (decoded == null || !isPng(bytes) || decoded.getWidth() != decoded.getHeight()) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_image_format",
                        "Invalid '" + param + "': " + spec.name() + " takes a square PNG image.", param);
                return null;
            }
        } else if (decoded == null && !webp || decoded != null && !isPng(bytes) && !isJpeg(bytes)) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_image_format",
                    "Invalid '" + param + "': unsupported image. Supported formats are 'png', 'jpeg' and 'webp'.", param);
            return null;
        }
        return new Input(bytes, decoded, null);
    }

    /** The JSON edit's {@code images} (and {@code mask}): image URLs (data URLs decoded) or file ids; null after a 400. */
    static List<Input> referenced(Context ctx, JsonNode body) {
        JsonNode images = body.path("images");
        if (images.isMissingNode() || images.isNull()) {
            ApiErrors.send(ctx, 400, "invalid_request_error", null, "Missing required parameter: 'images'.", "images");
            return null;
        }
        if (!images.isArray() || images.isEmpty() || images.size() > 16) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid 'images': expected an array of 1 to 16 image references.", "images");
            return null;
        }
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Input input = reference(ctx, images.get(i), "images[" + i + "]");
            if (input == null) return null;
            inputs.add(input);
        }
        if (body.has("mask") && reference(ctx, body.get("mask"), "mask") == null) return null;
        return inputs;
    }

    private static Input reference(Context ctx, JsonNode ref, String param) {
        boolean url = ref.path("image_url").isTextual() && !ref.path("image_url").asText().isEmpty();
        boolean file = ref.path("file_id").isTextual() && !ref.path("file_id").asText().isEmpty();
        if (!ref.isObject() || url == file) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_value",
                    "Invalid '" + param + "': provide exactly one of 'image_url' or 'file_id'.", param);
            return null;
        }
        if (file) return new Input(null, null, ref.path("file_id").asText());
        String value = ref.path("image_url").asText();
        if (value.startsWith("data:")) {
            int comma = value.indexOf(',');
            byte[] bytes;
            try {
                bytes = comma < 0 || !value.substring(0, comma).endsWith(";base64") ? null
                        : Base64.getDecoder().decode(value.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                bytes = null;
            }
            if (bytes == null) {
                ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_image_url",
                        "Invalid '" + param + ".image_url': a data URL must be base64-encoded.", param);
                return null;
            }
            return checked(ctx, bytes, ImageModel.of("gpt-image-1"), param);
        }
        if (!value.startsWith("https://") && !value.startsWith("http://")) {
            ApiErrors.send(ctx, 400, "invalid_request_error", "invalid_image_url",
                    "Invalid '" + param + ".image_url': expected a URL or a base64-encoded data URL.", param);
            return null;
        }
        // Offline, a URL is not fetched: the picture depends on the URL itself.
        return new Input(null, null, value);
    }

    /**
     * The image, or null when the JDK cannot read it or it is larger than {@link #MAX_PIXELS}: a few kilobytes of PNG
     * can declare a picture that would fill the heap, so the size is read from the header before any pixel.
     */
    private static BufferedImage decode(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return null;
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if ((long) reader.getWidth(0) * reader.getHeight(0) > MAX_PIXELS) return null;
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean isPng(byte[] bytes) {
        return bytes.length > 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
    }

    private static boolean isJpeg(byte[] bytes) {
        return bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8;
    }
}
