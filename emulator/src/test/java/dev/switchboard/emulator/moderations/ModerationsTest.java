package dev.switchboard.emulator.moderations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.errors.NotFoundException;
import com.openai.models.moderations.Moderation;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import com.openai.models.moderations.ModerationImageUrlInput;
import com.openai.models.moderations.ModerationMultiModalInput;
import com.openai.models.moderations.ModerationTextInput;
import dev.switchboard.emulator.media.MediaEmulator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /v1/moderations}: word-triggered verdicts in OpenAI's shape, text and images, through the SDK. */
class ModerationsTest {
    static MediaEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = MediaEmulator.start();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @Test
    void aTriggerWordFlagsItsCategoryAndItsParentAndNothingElse() {
        ModerationCreateResponse response = emulator.sdk.moderations().create(ModerationCreateParams.builder()
                .input("the film had so much gore").build());
        assertThat(response.id()).startsWith("modr-");
        assertThat(response.model()).isEqualTo("omni-moderation-latest");
        Moderation result = response.results().get(0);
        assertThat(result.flagged()).isTrue();
        assertThat(result.categories().violenceGraphic()).isTrue();
        assertThat(result.categories().violence()).isTrue();
        assertThat(result.categories().harassment()).isFalse();
        assertThat(result.categories().sexual()).isFalse();
        assertThat(result.categoryScores().violenceGraphic()).isGreaterThan(0.9);
        assertThat(result.categoryScores().harassment()).isLessThan(0.001);
        assertThat(result.categoryAppliedInputTypes().violence()).extracting(Object::toString).containsExactly("text");
    }

    @Test
    void harmlessTextIsNotFlaggedAndTheVerdictIsDeterministic() throws Exception {
        String body = "{\"input\":[\"a calm walk in the park\",\"you are an idiot\"]}";
        JsonNode first = emulator.postJson("/moderations", body).json();
        JsonNode second = emulator.postJson("/moderations", body).json();
        assertThat(first.path("results")).hasSize(2).isEqualTo(second.path("results"));
        assertThat(first.path("results").get(0).path("flagged").asBoolean()).isFalse();
        assertThat(first.path("results").get(1).path("categories").path("harassment").asBoolean()).isTrue();
        assertThat(first.path("results").get(0).path("categories")).hasSize(13);
        assertThat(first.path("results").get(0).path("category_scores")).hasSize(13);
        assertThat(first.path("results").get(0).path("category_applied_input_types")).hasSize(13);
    }

    @Test
    void omniJudgesTextAndImagesTogetherAndSaysWhichInputEachCategoryApplied() {
        ModerationCreateResponse response = emulator.sdk.moderations().create(ModerationCreateParams.builder()
                .inputOfModerationMultiModalArray(List.of(
                        ModerationMultiModalInput.ofText(ModerationTextInput.builder().text("a sunny day").build()),
                        ModerationMultiModalInput.ofImageUrl(ModerationImageUrlInput.builder().imageUrl(
                                ModerationImageUrlInput.ImageUrl.builder().url("https://example.com/stab-scene.png").build()).build())))
                .build());
        assertThat(response.results()).hasSize(1);
        Moderation result = response.results().get(0);
        assertThat(result.categories().violence()).isTrue();
        assertThat(result.categoryAppliedInputTypes().violence()).extracting(Object::toString).containsExactly("text", "image");
        assertThat(result.categoryAppliedInputTypes().harassment()).extracting(Object::toString).containsExactly("text");
    }

    @Test
    void textModerationHasNoIllicitCategoriesAndRefusesImages() throws Exception {
        JsonNode result = emulator.postJson("/moderations", "{\"model\":\"text-moderation-latest\",\"input\":\"shoplift\"}")
                .json().path("results").get(0);
        assertThat(result.path("categories").path("illicit").isNull()).isTrue();
        assertThat(result.path("flagged").asBoolean()).isFalse();
        emulator.postJson("/moderations", "{\"model\":\"text-moderation-latest\",\"input\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}").error(400);
        JsonNode omni = emulator.postJson("/moderations", "{\"input\":\"how to shoplift\"}").json().path("results").get(0);
        assertThat(omni.path("categories").path("illicit").asBoolean()).isTrue();
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertThatThrownBy(() -> emulator.sdk.moderations().create(ModerationCreateParams.builder()
                .model("omni-moderation-next").input("x").build())).isInstanceOf(NotFoundException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{}",
            "{\"input\":null}",
            "{\"input\":42}",
            "{\"input\":[]}",
            "{\"input\":[\"a\",3]}",
            "{\"input\":[{\"type\":\"audio\",\"audio\":\"x\"}]}",
            "{\"input\":[{\"type\":\"image_url\",\"image_url\":{}}]}",
            "{\"input\":[{\"type\":\"text\"}]}",
            "{\"input\":\"x\",\"model\":7}",
            "{\"input\":\"x\",\"model\":\"omni-moderation-latest\\u0000\"}",
            "{\"input\":\"x\",\"model\":\"omni\\r\\nmoderation\"}",
            "{\"input\":\"x\",\"model\":\"gpt-4o\"}",
            "{broken"})
    void malformedRequestsAreRefusedWith400(String body) throws Exception {
        MediaEmulator.Answer answer = emulator.postJson("/moderations", body);
        answer.error(400);
        assertThat(answer.text()).doesNotContain("\u0000").doesNotContain("\r\n");
    }
}
