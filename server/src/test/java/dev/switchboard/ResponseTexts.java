package dev.switchboard;

import com.openai.models.responses.Response;

/** The text of a Responses answer, read through the SDK's typed model (the Java SDK has no outputText()). */
public final class ResponseTexts {
    private ResponseTexts() {}

    public static String outputText(Response response) {
        StringBuilder text = new StringBuilder();
        response.output().forEach(item -> item.message().ifPresent(message -> message.content()
                .forEach(content -> content.outputText().ifPresent(t -> text.append(t.text())))));
        return text.toString();
    }
}
