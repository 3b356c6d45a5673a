package dev.switchboard.documents;

/** The document types accepted, recognised by their first bytes, never by a header the server chose. */
public enum MediaType {
    PNG("image/png"), JPEG("image/jpeg"), GIF("image/gif"), WEBP("image/webp"), PDF("application/pdf");

    private final String mime;

    MediaType(String mime) {
        this.mime = mime;
    }

    public String mime() {
        return mime;
    }

    /** The type of these bytes, or null when they are none of the accepted types. */
    public static MediaType sniff(byte[] b) {
        if (startsWith(b, 0x89, 'P', 'N', 'G')) return PNG;
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) return JPEG;
        if (startsWith(b, 'G', 'I', 'F', '8')) return GIF;
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return WEBP;
        if (startsWith(b, '%', 'P', 'D', 'F')) return PDF;
        return null;
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if ((b[i] & 0xff) != prefix[i]) return false;
        return true;
    }
}
