package dev.quantize.core.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Nothing half-written: every file the project produces is written to a temporary file beside its
 * target and renamed over it in one atomic step once complete.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * A new empty temporary file in the target's folder (so the rename cannot cross file systems),
     * readable by others like any ordinary output (createTempFile alone makes it owner-only).
     */
    public static Path createTemp(Path target, String suffix) throws IOException {
        Path abs = target.toAbsolutePath();
        Path temp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", suffix);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return temp;
    }

    /** Renames the finished temporary file over the target, atomically. */
    public static void commit(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
