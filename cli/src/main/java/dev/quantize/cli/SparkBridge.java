package dev.quantize.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The way to the spark module when a command gets {@code --spark MASTER}. The CLI jar holds no Spark:
 * {@code bin/quantize} adds the spark module and Spark's jars to the class path when {@code --spark} is
 * given, and this class finds the module's entry point ({@code dev.quantize.spark.SparkJobs})
 * reflectively, so the CLI compiles and runs without Spark and says in one line what is missing.
 */
final class SparkBridge {
    static final String ENTRY = "dev.quantize.spark.SparkJobs";

    private SparkBridge() {
    }

    /** Calls {@code SparkJobs.method(args)} and returns its result; errors of the job surface unwrapped. */
    @SuppressWarnings("unchecked")
    static <T> T call(String method, Class<?>[] types, Object... args) throws Exception {
        Method m;
        try {
            Class.forName("org.apache.spark.sql.SparkSession");
            m = Class.forName(ENTRY).getMethod(method, types);
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
            throw new IllegalArgumentException("--spark needs Apache Spark and the quantize spark module on the class path "
                    + "(missing " + e.getMessage() + "): run the command through bin/quantize, which adds them, after "
                    + "`mvn -DskipTests package`, or under spark-submit (see README, \"Running on a Spark cluster\")");
        }
        try {
            return (T) m.invoke(null, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw unwrapSpark(ex);
            }
            throw (Error) cause;
        }
    }

    /**
     * Spark wraps a task's exception in a SparkException whose message repeats the stack trace; the
     * project's own exception (a bad row: file and column) is the useful part.
     */
    static Exception unwrapSpark(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("dev.quantize.") && t instanceof Exception ex) {
                return ex;
            }
            if (t instanceof IllegalArgumentException ex && t != e) {
                return ex;
            }
        }
        return e;
    }
}
