package dev.switchboard.emulator.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.images.ImageCreateVariationParams;
import com.openai.models.images.ImageEditParams;
import com.openai.models.images.ImageEditStreamEvent;
import com.openai.models.images.ImageGenStreamEvent;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.switchboard.emulator.media.MediaEmulator;
import dev.switchboard.emulator.media.MediaEmulator.Multipart;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code /v1/images/*} through the official SDK: real pictures of the requested size, usage, streams and refusals. */
class ImagesTest {
    static MediaEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = MediaEmulator.start();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static BufferedImage decode(byte[] bytes) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image).as("a decodable image").isNotNull();
        return image;
    }

    static BufferedImage decodeBase64(String b64) throws Exception {
        return decode(Base64.getDecoder().decode(b64));
    }

    static byte[] png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        image.setRGB(1, 1, 0xFF336699);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void gptImageAnswersBase64PicturesOfTheSizeWithTokenUsageDeterministically() throws Exception {
        ImageGenerateParams params = ImageGenerateParams.builder().model("gpt-image-1").prompt("a lighthouse at dusk")
                .size(ImageGenerateParams.Size.of("1536x1024")).quality(ImageGenerateParams.Quality.of("low")).n(2).build();
        ImagesResponse response = emulator.sdk.images().generate(params);
        var data = response.data().orElseThrow();
        assertThat(data).hasSize(2);
        byte[] first = Base64.getDecoder().decode(data.get(0).b64Json().orElseThrow());
        assertThat(first).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage image = decode(first);
        assertThat(image.getWidth()).isEqualTo(1536);
        assertThat(image.getHeight()).isEqualTo(1024);
        assertThat(data.get(0).url()).isEmpty();
        assertThat(data.get(1).b64Json()).isNotEqualTo(data.get(0).b64Json());
        var usage = response.usage().orElseThrow();
        assertThat(usage.outputTokens()).isEqualTo(2 * 408);
        assertThat(usage.inputTokensDetails().textTokens()).isPositive();
        assertThat(usage.inputTokensDetails().imageTokens()).isZero();
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
        assertThat(response.size().orElseThrow().toString()).isEqualTo("1536x1024");
        assertThat(response.quality().orElseThrow().toString()).isEqualTo("low");
        assertThat(response.outputFormat().orElseThrow().toString()).isEqualTo("png");

        ImagesResponse again = emulator.sdk.images().generate(params);
        assertThat(again.data().orElseThrow().get(0).b64Json()).isEqualTo(data.get(0).b64Json());
    }

    @Test
    void jpegIsWrittenAndWebpIsRefusedHonestly() throws Exception {
        ImagesResponse jpeg = emulator.sdk.images().generate(ImageGenerateParams.builder().model("gpt-image-1").prompt("x")
                .outputFormat(ImageGenerateParams.OutputFormat.of("jpeg")).build());
        byte[] bytes = Base64.getDecoder().decode(jpeg.data().orElseThrow().get(0).b64Json().orElseThrow());
        assertThat(bytes).startsWith(0xFF, 0xD8);
        assertThat(decode(bytes).getWidth()).isEqualTo(1024);
        ImagesResponse compressed = emulator.sdk.images().generate(ImageGenerateParams.builder().model("gpt-image-1").prompt("x")
                .outputFormat(ImageGenerateParams.OutputFormat.of("jpeg")).outputCompression(10).build());
        byte[] small = Base64.getDecoder().decode(compressed.data().orElseThrow().get(0).b64Json().orElseThrow());
        assertThat(decode(small).getWidth()).isEqualTo(1024);
        assertThat(small.length).as("output_compression 10 against 100").isLessThan(bytes.length);
        assertThatThrownBy(() -> emulator.sdk.images().generate(ImageGenerateParams.builder().model("gpt-image-1").prompt("x")
                .outputFormat(ImageGenerateParams.OutputFormat.of("webp")).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("webp");
        JsonNode transparent = emulator.postJson("/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"x\","
                + "\"background\":\"transparent\"}").json();
        assertThat(transparent.path("background").asText()).isEqualTo("transparent");
        assertThat(decodeBase64(transparent.path("data").get(0).path("b64_json").asText()).getColorModel().hasAlpha()).isTrue();
    }

    @Test
    void dallEAnswersAUrlThatServesThePictureOrBase64WhenAsked() throws Exception {
        ImagesResponse response = emulator.sdk.images().generate(ImageGenerateParams.builder().model("dall-e-2")
                .prompt("a red square").size(ImageGenerateParams.Size.of("256x256")).build());
        String url = response.data().orElseThrow().get(0).url().orElseThrow();
        assertThat(response.usage()).isEmpty();
        MediaEmulator.Answer picture = emulator.get(url);
        assertThat(picture.status()).isEqualTo(200);
        assertThat(picture.contentType()).isEqualTo("image/png");
        assertThat(decode(picture.body()).getWidth()).isEqualTo(256);

        ImagesResponse dalle3 = emulator.sdk.images().generate(ImageGenerateParams.builder().model("dall-e-3")
                .prompt("a blue circle").size(ImageGenerateParams.Size.of("1792x1024"))
                .responseFormat(ImageGenerateParams.ResponseFormat.of("b64_json")).build());
        var image = dalle3.data().orElseThrow().get(0);
        assertThat(image.revisedPrompt()).isPresent();
        assertThat(decodeBase64(image.b64Json().orElseThrow()).getWidth()).isEqualTo(1792);
        assertThat(emulator.get(url.replace(".png", "x.png")).status()).isEqualTo(404);
    }

    @Test
    void streamingSendsPartialImagesThenTheCompletedOneWithUsage() throws Exception {
        List<ImageGenStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ImageGenStreamEvent> stream = emulator.sdk.images().generateStreaming(ImageGenerateParams.builder()
                .model("gpt-image-1").prompt("a forest").size(ImageGenerateParams.Size.of("1024x1536")).partialImages(3).build())) {
            stream.stream().forEach(events::add);
        }
        assertThat(events).hasSize(4);
        for (int i = 0; i < 3; i++) {
            var partial = events.get(i).asGenerationPartialImage();
            assertThat(partial.partialImageIndex()).isEqualTo(i);
            BufferedImage preview = decodeBase64(partial.b64Json());
            assertThat(preview.getWidth()).isEqualTo(1024);
            assertThat(preview.getHeight()).isEqualTo(1536);
        }
        var completed = events.get(3).asGenerationCompleted();
        assertThat(decodeBase64(completed.b64Json()).getHeight()).isEqualTo(1536);
        assertThat(completed.usage().outputTokens()).isPositive();
        assertThat(completed.b64Json()).isNotEqualTo(events.get(2).asGenerationPartialImage().b64Json());

        MediaEmulator.Answer raw = emulator.postJson("/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"a forest\","
                + "\"stream\":true,\"partial_images\":0}");
        assertThat(raw.contentType()).startsWith("text/event-stream");
        assertThat(raw.eventNames()).containsExactly("image_generation.completed");
        emulator.postJson("/images/generations", "{\"model\":\"dall-e-3\",\"prompt\":\"x\",\"stream\":true}").error(400);
    }

    @Test
    void editsTakeUploadedImagesAndCountTheirTokens() throws Exception {
        ImagesResponse edited = emulator.sdk.images().edit(ImageEditParams.builder().model("gpt-image-1")
                .image(png(64, 64)).prompt("add a hat").size(ImageEditParams.Size.of("1024x1024")).build());
        assertThat(decodeBase64(edited.data().orElseThrow().get(0).b64Json().orElseThrow()).getWidth()).isEqualTo(1024);
        assertThat(edited.usage().orElseThrow().inputTokensDetails().imageTokens()).isEqualTo(ImagesApi.INPUT_IMAGE_TOKENS);

        MediaEmulator.Answer two = emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1")
                .field("prompt", "merge").file("image[]", "a.png", "image/png", png(32, 32))
                .file("image[]", "b.png", "image/png", png(48, 48)));
        assertThat(two.json().path("usage").path("input_tokens_details").path("image_tokens").asInt())
                .isEqualTo(2 * ImagesApi.INPUT_IMAGE_TOKENS);

        List<ImageEditStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ImageEditStreamEvent> stream = emulator.sdk.images().editStreaming(ImageEditParams.builder()
                .model("gpt-image-1").image(png(64, 64)).prompt("add a hat").partialImages(1).build())) {
            stream.stream().forEach(events::add);
        }
        assertThat(events).hasSize(2);
        assertThat(events.get(0).isPartialImage()).isTrue();
        assertThat(events.get(1).isCompleted()).isTrue();
        assertThat(decodeBase64(events.get(1).asCompleted().b64Json()).getWidth()).isEqualTo(1024);
    }

    @Test
    void aJsonEditTakesDataUrlsAndFileIds() throws Exception {
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png(16, 16));
        JsonNode edited = emulator.postJson("/images/edits", "{\"model\":\"gpt-image-1\",\"prompt\":\"tint\",\"images\":["
                + "{\"image_url\":\"" + dataUrl + "\"},{\"file_id\":\"file-abc123\"}]}").json();
        assertThat(decodeBase64(edited.path("data").get(0).path("b64_json").asText()).getWidth()).isEqualTo(1024);
        emulator.postJson("/images/edits", "{\"model\":\"gpt-image-1\",\"prompt\":\"tint\",\"images\":[{\"image_url\":\"x\","
                + "\"file_id\":\"file-1\"}]}").error(400);
        emulator.postJson("/images/edits", "{\"model\":\"gpt-image-1\",\"prompt\":\"tint\",\"images\":[{\"image_url\":"
                + "\"data:image/png;base64,@@@\"}]}").error(400);
    }

    @Test
    void variationsAreDallE2SquarePngsOnly() throws Exception {
        ImagesResponse variation = emulator.sdk.images().createVariation(ImageCreateVariationParams.builder()
                .image(png(32, 32)).size(ImageCreateVariationParams.Size.of("512x512"))
                .responseFormat(ImageCreateVariationParams.ResponseFormat.of("b64_json")).n(2).build());
        assertThat(variation.data().orElseThrow()).hasSize(2);
        assertThat(decodeBase64(variation.data().orElseThrow().get(0).b64Json().orElseThrow()).getWidth()).isEqualTo(512);
        assertThatThrownBy(() -> emulator.sdk.images().createVariation(ImageCreateVariationParams.builder()
                .image(png(32, 16)).build())).isInstanceOf(BadRequestException.class);
        assertThatThrownBy(() -> emulator.sdk.images().createVariation(ImageCreateVariationParams.builder()
                .image(png(32, 32)).model("gpt-image-1").build())).isInstanceOf(BadRequestException.class);
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertThatThrownBy(() -> emulator.sdk.images().generate(ImageGenerateParams.builder().model("dall-e-9").prompt("x").build()))
                .isInstanceOf(NotFoundException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"model\":\"gpt-image-1\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":42}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"a\\u0000b\"}",
            "{\"model\":\"gpt-image-1\\u0000\",\"prompt\":\"x\"}",
            "{\"model\":\"gpt-image-1\\r\\nX: 1\",\"prompt\":\"x\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"size\":\"640x480\"}",
            "{\"model\":\"dall-e-2\",\"prompt\":\"x\",\"size\":\"1536x1024\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"n\":0}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"n\":11}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"n\":\"2\"}",
            "{\"model\":\"dall-e-3\",\"prompt\":\"x\",\"n\":2}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"response_format\":\"url\"}",
            "{\"model\":\"dall-e-2\",\"prompt\":\"x\",\"response_format\":\"png\"}",
            "{\"model\":\"dall-e-2\",\"prompt\":\"x\",\"output_format\":\"jpeg\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"quality\":\"hd\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"background\":\"transparent\",\"output_format\":\"jpeg\"}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"stream\":true,\"partial_images\":4}",
            "{\"model\":\"gpt-image-1\",\"prompt\":\"x\",\"stream\":\"yes\"}",
            "{\"model\":\"gpt-4o\",\"prompt\":\"x\"}",
            "[1,2]"})
    void malformedGenerationsAreRefusedWith400(String body) throws Exception {
        MediaEmulator.Answer answer = emulator.postJson("/images/generations", body);
        answer.error(400);
        assertThat(answer.text()).doesNotContain("\u0000").doesNotContain("\r\n");
    }

    @Test
    void aPromptOverTheModelsLimitIsRefused() throws Exception {
        JsonNode error = emulator.postJson("/images/generations", "{\"model\":\"dall-e-2\",\"prompt\":\"" + "x".repeat(1001) + "\"}")
                .error(400);
        assertThat(error.path("code").asText()).isEqualTo("string_above_max_length");
        emulator.postJson("/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"" + "x".repeat(32_001) + "\"}").error(400);
    }

    @Test
    void aPngDeclaringAGiantPictureIsRefusedWithoutBeingDecoded() throws Exception {
        // 20000x20000 pixels of RGBA would take 1.6 GB of heap to decode; the file itself is a few dozen bytes.
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(13).putInt(20_000).putInt(20_000).put((byte) 8).put((byte) 6)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(png, "IEND", new byte[0]);
        MediaEmulator.Answer answer = emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1")
                .field("prompt", "x").file("image", "bomb.png", "image/png", png.toByteArray()));
        assertThat(answer.error(400).path("param").asText()).isEqualTo("image");
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void malformedEditsAreRefusedWith400() throws Exception {
        emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1").field("prompt", "x")).error(400);
        emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1").field("prompt", "x")
                .file("image", "a.png", "image/png", "not an image".getBytes())).error(400);
        emulator.postMultipart("/images/edits", new Multipart().field("model", "dall-e-2").field("prompt", "x")
                .file("image", "a.png", "image/png", png(32, 16))).error(400);
        emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1").field("prompt", "x")
                .file("image", "a.png", "image/png", png(32, 32)).file("mask", "m.png", "image/png", png(16, 16))).error(400);
        emulator.postMultipart("/images/edits", new Multipart().field("model", "gpt-image-1")
                .file("image", "a.png", "image/png", png(32, 32))).error(400);
        emulator.postJson("/images/edits", "{\"model\":\"gpt-image-1\",\"prompt\":\"x\"}").error(400);
        emulator.postJson("/images/variations", "{\"image\":\"x\"}").error(400);
    }
}
