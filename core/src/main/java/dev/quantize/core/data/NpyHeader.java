package dev.quantize.core.data;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The header of a {@code .npy} file (format versions 1.0, 2.0 and 3.0): magic {@code \x93NUMPY},
 * version bytes, a little-endian header length (2 bytes in 1.0, 4 bytes after), then a Python dict
 * literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (4096, 13), }} padded with spaces
 * and a newline. The array data follows, C order, at {@link #dataOffset()}.
 */
record NpyHeader(NpyDtype dtype, ByteOrder order, long[] shape, long dataOffset) {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Bytes before the dict: magic, two version bytes and the 2- or 4-byte length. */
    static final int PREAMBLE_V1 = 10;
    static final int PREAMBLE_V2 = 12;
    /** A header dict longer than this is not one numpy wrote; refusing it bounds what we read. */
    static final int MAX_DICT_BYTES = 1 << 20;

    long rows() {
        return shape[0];
    }

    /** Elements in one row (product of the dimensions after the first). */
    long rowElements() {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n = Math.multiplyExact(n, shape[i]);
        }
        return n;
    }

    /** Parses the dict text; {@code file} only names the file in error messages. */
    static NpyHeader parse(String file, String dict, long dataOffset) {
        DictParser p = new DictParser(file, dict);
        String descr = null;
        Boolean fortran = null;
        long[] shape = null;
        p.expect('{');
        while (!p.peekIs('}')) {
            String key = p.string();
            p.expect(':');
            switch (key) {
                case "descr" -> {
                    if (p.peekIs('[')) {
                        throw new DatasetException(file + ": structured numpy dtypes are not supported (descr is a list)");
                    }
                    descr = p.string();
                }
                case "fortran_order" -> fortran = p.bool();
                case "shape" -> shape = p.tuple();
                default -> throw new DatasetException(file + ": unexpected key '" + key + "' in .npy header");
            }
            if (!p.peekIs('}')) {
                p.expect(',');
            }
        }
        p.expect('}');
        if (descr == null || fortran == null || shape == null) {
            throw new DatasetException(file + ": .npy header lacks " + (descr == null ? "'descr'"
                    : fortran == null ? "'fortran_order'" : "'shape'") + ": " + dict.strip());
        }
        if (fortran) {
            throw new DatasetException(file + ": array is stored in Fortran order; save it in C order "
                    + "(numpy.ascontiguousarray) and try again");
        }
        if (shape.length == 0) {
            throw new DatasetException(file + ": array is a 0-d scalar; a dataset column needs a row axis");
        }
        if (descr.length() != 3) {
            throw new DatasetException(file + ": unsupported numpy dtype '" + descr + "' (supported: f2 f4 f8 i1 i2 i4 "
                    + "i8 u1 u2 u4 u8 b1)");
        }
        NpyDtype dtype = NpyDtype.ofCode(descr.substring(1));
        ByteOrder order = switch (descr.charAt(0)) {
            case '<', '|', '=' -> ByteOrder.LITTLE_ENDIAN; // '=' is native; numpy only writes it on little-endian hosts in practice
            case '>' -> ByteOrder.BIG_ENDIAN;
            default -> null;
        };
        if (dtype == null || order == null) {
            throw new DatasetException(file + ": unsupported numpy dtype '" + descr + "' (supported: f2 f4 f8 i1 i2 i4 "
                    + "i8 u1 u2 u4 u8 b1, byte order < > |)");
        }
        return new NpyHeader(dtype, order, shape, dataOffset);
    }

    /** The dict text numpy writes for this type and shape. */
    static String dict(NpyDtype dtype, long[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '").append(dtype.descr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
        }
        return s.append("), }").toString();
    }

    /** The complete version-1.0 header (preamble + dict padded so data starts on a 64-byte boundary). */
    static byte[] encode(NpyDtype dtype, long[] shape, int minDictChars) {
        String dict = dict(dtype, shape);
        int len = Math.max(dict.length(), minDictChars) + 1;
        int total = PREAMBLE_V1 + len;
        int padded = (total + 63) / 64 * 64;
        String text = dict + " ".repeat(padded - PREAMBLE_V1 - dict.length() - 1) + "\n";
        byte[] body = text.getBytes(StandardCharsets.ISO_8859_1);
        if (body.length > 0xffff) {
            throw new IllegalArgumentException("npy header too long: " + body.length);
        }
        byte[] out = new byte[PREAMBLE_V1 + body.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) body.length;
        out[9] = (byte) (body.length >>> 8);
        System.arraycopy(body, 0, out, PREAMBLE_V1, body.length);
        return out;
    }

    @Override
    public String toString() {
        return dtype.code + " " + Arrays.toString(shape);
    }

    /** A strict reader of the small Python-literal subset numpy headers use. */
    private static final class DictParser {
        private final String file;
        private final String s;
        private int i;

        DictParser(String file, String s) {
            this.file = file;
            this.s = s;
        }

        private DatasetException error(String what) {
            String shown = s.length() > 120 ? s.substring(0, 120) + "..." : s;
            return new DatasetException(file + ": malformed .npy header (" + what + " at character " + i + "): "
                    + shown.strip());
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        boolean peekIs(char c) {
            skipSpace();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(i) == c;
        }

        void expect(char c) {
            if (!peekIs(c)) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        String string() {
            skipSpace();
            if (i >= s.length() || (s.charAt(i) != '\'' && s.charAt(i) != '"')) {
                throw error("expected a quoted string");
            }
            char q = s.charAt(i++);
            int end = s.indexOf(q, i);
            if (end < 0) {
                throw error("unterminated string");
            }
            String v = s.substring(i, end);
            i = end + 1;
            return v;
        }

        boolean bool() {
            skipSpace();
            if (s.startsWith("True", i)) {
                i += 4;
                return true;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return false;
            }
            throw error("expected True or False");
        }

        long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peekIs(')')) {
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == start || i - start > 18) {
                    throw error("expected a dimension");
                }
                dims.add(Long.parseLong(s.substring(start, i)));
                if (!peekIs(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
