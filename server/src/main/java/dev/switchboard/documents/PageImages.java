package dev.switchboard.documents;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;

/** A document as the images a vision model reads: an image as it is, a PDF's pages rendered to PNG. */
final class PageImages {
    static final int MAX_PAGES = 10;
    private static final float DPI = 110;

    private PageImages() {}

    /** Data URLs, one per image or page; {@code pages} (1-based, may be empty) picks PDF pages. */
    static List<String> of(byte[] bytes, MediaType type, List<Integer> pages) {
        if (type != MediaType.PDF) return List.of(dataUrl(type.mime(), bytes));
        try (PDDocument pdf = Loader.loadPDF(bytes)) {
            PDFRenderer renderer = new PDFRenderer(pdf);
            List<String> images = new ArrayList<>();
            int count = pdf.getNumberOfPages();
            List<Integer> wanted = pages.isEmpty() ? range(Math.min(count, MAX_PAGES)) : pages;
            for (int page : wanted) {
                if (page < 1 || page > count) throw new DocumentRefused("bad_page", "The PDF has " + count + " pages; there is no page " + page + ".");
                if (images.size() == MAX_PAGES) break;
                BufferedImage image = renderer.renderImageWithDPI(page - 1, DPI);
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                images.add(dataUrl("image/png", png.toByteArray()));
            }
            return images;
        } catch (IOException e) {
            throw new DocumentRefused("unreadable_pdf", "The PDF cannot be read: " + e.getMessage());
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> pages = new ArrayList<>();
        for (int i = 1; i <= n; i++) pages.add(i);
        return pages;
    }

    private static String dataUrl(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
