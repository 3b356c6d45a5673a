package dev.switchboard.emulator.files;

import dev.switchboard.emulator.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The emulator's Files: metadata in memory, contents in a temporary directory of this emulator (removed on
 * {@link #close}), written and read as streams so that files of gigabytes never sit in the heap.
 */
public final class FileStore implements AutoCloseable {
    /** OpenAI's limit for one file sent to {@code POST /v1/files}. */
    public static final long MAX_FILE_BYTES = 512L * 1024 * 1024;

    /** More bytes than a limit allows. */
    public static final class TooLargeException extends IOException {
        TooLargeException(long limit) {
            super("more than " + limit + " bytes");
        }
    }

    private final Path directory;
    private final Map<String, StoredFile> files = new LinkedHashMap<>();

    public FileStore() {
        try {
            directory = Files.createTempDirectory("switchboard-emulator-files-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty file in this store's directory, for parts and files being assembled. */
    public Path scratch() throws IOException {
        return Files.createTempFile(directory, "scratch-", ".bin");
    }

    /** Copies {@code content} to {@code target}, refused with {@link TooLargeException} (and deleted) above {@code limit}. */
    public static long copy(InputStream content, Path target, long limit) throws IOException {
        long total = 0;
        byte[] buffer = new byte[256 * 1024];
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = content.read(buffer)) >= 0; ) {
                total += n;
                if (total > limit) throw new TooLargeException(limit);
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        return total;
    }

    /** Makes a File of a scratch file, moved into the store. */
    public StoredFile adopt(Path scratch, String filename, String purpose, Long expiresAt) throws IOException {
        String id = Ids.next("file-");
        Path target = directory.resolve(id);
        Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
        StoredFile file = new StoredFile(id, Files.size(target), Ids.nowSeconds(), filename, purpose, expiresAt);
        synchronized (files) {
            files.put(id, file);
        }
        return file;
    }

    /** A File of these bytes (the emulator's own outputs, such as a batch's). */
    public StoredFile create(byte[] content, String filename, String purpose) throws IOException {
        Path scratch = scratch();
        Files.write(scratch, content);
        return adopt(scratch, filename, purpose, null);
    }

    public Optional<StoredFile> find(String id) {
        synchronized (files) {
            return Optional.ofNullable(files.get(id));
        }
    }

    /** Where a File's bytes are. */
    public Path path(StoredFile file) {
        return directory.resolve(file.id());
    }

    /** Every File, oldest first. */
    public List<StoredFile> all() {
        synchronized (files) {
            return List.copyOf(files.values());
        }
    }

    public boolean delete(String id) {
        StoredFile removed;
        synchronized (files) {
            removed = files.remove(id);
        }
        if (removed == null) return false;
        try {
            Files.deleteIfExists(directory.resolve(id));
        } catch (IOException ignored) {
            // Removed with the directory at close.
        }
        return true;
    }

    @Override
    public void close() {
        synchronized (files) {
            files.clear();
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // A temporary directory: the system cleans up what is left.
        }
    }
}
