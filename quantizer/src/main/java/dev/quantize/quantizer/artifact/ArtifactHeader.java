package dev.quantize.quantizer.artifact;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The fixed 64-byte header that starts every artifact (all integers little-endian; see
 * docs/artifact-format.md):
 *
 * <pre>
 *  0  8 bytes  magic 89 51 5A 41 0D 0A 1A 0A ("\x89QZA\r\n\x1a\n")
 *  8  u32      format version
 * 12  u32      reserved, 0
 * 16  u64      manifest length in bytes (the manifest starts at byte 64)
 * 24  u32      CRC32C of the manifest
 * 28  u32      reserved, 0
 * 32  u64      data offset: where the tensor section starts (a multiple of 64)
 * 40  u64      file length
 * 48  12 bytes reserved, 0
 * 60  u32      CRC32C of bytes 0..59
 * </pre>
 */
record ArtifactHeader(int version, long manifestLength, int manifestCrc, long dataOffset, long fileLength) {
    static final int SIZE = 64;
    static final int ALIGNMENT = 64;
    static final int VERSION = 1;
    static final byte[] MAGIC = {(byte) 0x89, 'Q', 'Z', 'A', 0x0D, 0x0A, 0x1A, 0x0A};

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putInt(8, version);
        b.putLong(16, manifestLength);
        b.putInt(24, manifestCrc);
        b.putLong(32, dataOffset);
        b.putLong(40, fileLength);
        b.putInt(60, crc(b.array(), 0, 60));
        return b.array();
    }

    static boolean hasMagic(byte[] first) {
        if (first.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (first[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** Parses and checks a header; {@code file} names the artifact in messages. */
    static ArtifactHeader parse(byte[] bytes, String file) {
        if (!hasMagic(bytes)) {
            throw new ArtifactException(file + ": not a quantize artifact (bad magic)");
        }
        if (bytes.length < SIZE) {
            throw new ArtifactException(file + ": truncated: the header needs " + SIZE + " bytes but the file has " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(8);
        // The version comes before the header checksum: a newer version may lay the header out differently.
        if (Integer.compareUnsigned(version, VERSION) > 0) {
            throw new ArtifactException(file + ": artifact format version " + Integer.toUnsignedString(version)
                    + " is newer than this tool supports (" + VERSION + ")");
        }
        int stored = b.getInt(60);
        int computed = crc(bytes, 0, 60);
        if (stored != computed) {
            throw new ArtifactException(file + ": header checksum mismatch (stored " + hex(stored) + ", computed "
                    + hex(computed) + "): the file is corrupted");
        }
        if (version < 1) {
            throw new ArtifactException(file + ": unknown artifact format version " + version);
        }
        if (b.getInt(12) != 0 || b.getInt(28) != 0 || b.getLong(48) != 0 || b.getInt(56) != 0) {
            throw new ArtifactException(file + ": reserved header bytes are not zero: the file is corrupted");
        }
        ArtifactHeader h = new ArtifactHeader(version, b.getLong(16), b.getInt(24), b.getLong(32), b.getLong(40));
        if (h.manifestLength < 2 || h.manifestLength > Integer.MAX_VALUE
                || h.dataOffset != align(SIZE + h.manifestLength) || h.dataOffset > h.fileLength) {
            throw new ArtifactException(file + ": inconsistent header (manifest " + h.manifestLength + " bytes, data at "
                    + h.dataOffset + ", file " + h.fileLength + " bytes): the file is corrupted");
        }
        return h;
    }

    static long align(long position) {
        return (position + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    static int crc(byte[] bytes, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, to - from);
        return (int) c.getValue();
    }

    static int crc(ByteBuffer bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes.duplicate());
        return (int) c.getValue();
    }

    static String hex(int crc) {
        return String.format("%08x", crc);
    }
}
