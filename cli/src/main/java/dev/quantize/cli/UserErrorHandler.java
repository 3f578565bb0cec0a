package dev.quantize.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns exceptions into a one-line cause and exit code 2. Bad input (a missing file, a malformed
 * model, a wrong column) is the user's to fix, so no stack trace; set QUANTIZE_DEBUG=1 to see one.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        String msg = message(ex);
        String where = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(where + ": error: " + msg);
        if (System.getenv("QUANTIZE_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return 2;
    }

    static String message(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + m;
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + m;
        }
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        if (t instanceof IOException && !(t instanceof java.nio.file.FileSystemException)) {
            return m;
        }
        return m.replace('\n', ' ');
    }
}
