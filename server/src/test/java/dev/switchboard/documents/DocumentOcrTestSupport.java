package dev.switchboard.documents;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Test documents. */
public final class DocumentOcrTestSupport {
    private DocumentOcrTestSupport() {}

    /** A small PNG with a tEXt chunk "Switchboard-Text", which the emulator's vision reads back. */
    public static byte[] pngWithText(String text) throws Exception {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", plain);
        byte[] png = plain.toByteArray();
        int afterHeader = 8 + 4 + 4 + 13 + 4; // signature, IHDR length, type, data, CRC
        byte[] data = ("Switchboard-Text\0" + text).getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        chunk.write(new byte[] {(byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length});
        byte[] typeAndData = new byte[4 + data.length];
        System.arraycopy("tEXt".getBytes(StandardCharsets.US_ASCII), 0, typeAndData, 0, 4);
        System.arraycopy(data, 0, typeAndData, 4, data.length);
        chunk.write(typeAndData);
        CRC32 crc = new CRC32();
        crc.update(typeAndData);
        long c = crc.getValue();
        chunk.write(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Arrays.copyOfRange(png, 0, afterHeader));
        out.write(chunk.toByteArray());
        out.write(Arrays.copyOfRange(png, afterHeader, png.length));
        return out.toByteArray();
    }
}
