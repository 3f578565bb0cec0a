package dev.quantize.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapped memory `bench serve` reports counts a page once, however many mappings share it. */
class MappedMemoryTest {
    private static final int PAGES = 16;
    private static final int PAGE = 4096;

    @Test
    void aPageInTwoMappingsCountsOnce(@TempDir Path dir) throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/smaps")), "no /proc/self/smaps on this system");
        Path file = dir.resolve("weights.bin");
        byte[] bytes = new byte[PAGES * PAGE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        Files.write(file, bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // Two overlapping mappings, as two tensors that share a page (or two opens of one artifact) give.
            MappedByteBuffer whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length);
            MappedByteBuffer half = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length / 2);
            long sum = touch(whole) + touch(half);
            assertEquals(expectedSum(bytes), sum);
            assertEquals((long) PAGES * PAGE, ServeBench.mappedRss(file));
        }
    }

    private static long touch(MappedByteBuffer b) {
        long sum = 0;
        for (int i = 0; i < b.capacity(); i++) {
            sum += b.get(i);
        }
        return sum;
    }

    private static long expectedSum(byte[] bytes) {
        long sum = 0;
        for (int i = 0; i < bytes.length; i++) {
            sum += bytes[i] + (i < bytes.length / 2 ? bytes[i] : 0);
        }
        return sum;
    }
}
