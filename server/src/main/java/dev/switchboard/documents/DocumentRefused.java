package dev.switchboard.documents;

/** A document URL that will not be fetched, or whose content is not accepted; the message says why. */
public final class DocumentRefused extends RuntimeException {
    private final String code;

    public DocumentRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
