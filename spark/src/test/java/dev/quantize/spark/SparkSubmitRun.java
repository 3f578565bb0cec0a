package dev.quantize.spark;

import dev.quantize.cli.Main;
import dev.quantize.spark.bench.LocalCluster;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The README's {@code spark-submit} command, run for real: Spark's own submit entry point
 * ({@code org.apache.spark.deploy.SparkSubmit}, the class the {@code spark-submit} script execs) in a
 * child JVM on the test class path. The CLI jar is not built during {@code mvn test}, so this builds
 * its stand-ins from the class folders: {@code quantize.jar} (the project's classes but the spark
 * module's, as the shaded CLI jar holds them; the primary resource, whose main class is
 * {@code --class}) and {@code quantize-spark.jar} (for {@code --jars}). SparkSubmit needs a primary
 * resource; a real jar also makes a {@code spark://} run ship the project's classes to the executors
 * the way a cluster gets them, since these tests give the executors no project class path.
 */
final class SparkSubmitRun {
    record Result(int code, String out, String err) {
        /**
         * The stderr lines that are not logging: Spark's log lines start with a date or a level; SLF4J
         * warns of two providers because this test class path holds both the CLI's slf4j-nop and Spark's
         * log4j binding (under a real spark-submit the CLI jar is on a child loader SLF4J does not search).
         */
        List<String> userLines() {
            return err.lines().filter(l -> !l.isBlank()).filter(l -> !l.matches("^(\\d{2}/\\d{2}/\\d{2}|\\d{4}-\\d{2}-\\d{2}) .*")
                    && !l.matches("^(WARN|INFO|ERROR|DEBUG)\\b.*") && !l.startsWith("Using Spark's default log4j profile")
                    && !l.startsWith("WARNING: Using incubator modules") && !l.startsWith("SLF4J(")).toList();
        }
    }

    private static Path jars;

    private SparkSubmitRun() {
    }

    /** Runs {@code spark-submit --master MASTER [conf...] --class Main --jars quantize-spark.jar quantize.jar ARGS...}. */
    static Result submit(String master, List<String> conf, String... args) throws IOException, InterruptedException {
        Path dir = jars();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // What the spark-submit script's launcher would start the driver with: Spark's module options
        // and --driver-java-options (the Vector API); here they are this JVM's flags.
        cmd.addAll(LocalCluster.moduleFlags());
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, LocalCluster.classPath()));
        cmd.add("org.apache.spark.deploy.SparkSubmit");
        cmd.addAll(List.of("--master", master, "--class", Main.class.getName(),
                "--jars", dir.resolve("quantize-spark.jar").toString(),
                "--driver-java-options", "--add-modules=jdk.incubator.vector",
                "--conf", "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector"));
        for (String c : conf) {
            cmd.add("--conf");
            cmd.add(c);
        }
        cmd.add(dir.resolve("quantize.jar").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) { // a hang, not a timing check: stop the child and say so
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException("spark-submit did not finish in 180 s: " + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The two jars, built once per test JVM. */
    private static synchronized Path jars() throws IOException {
        if (jars == null) {
            Path dir = Files.createTempDirectory("quantize-submit");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Fixture.deleteTree(dir)));
            Path sparkClasses = codeSource(SparkJobs.class);
            List<Path> project = new ArrayList<>();
            for (String e : LocalCluster.classPath()) {
                Path p = Path.of(e);
                // the project's main class folders (module/target/classes), not test classes, not the spark module's
                if (Files.isDirectory(p) && p.endsWith(Path.of("target", "classes")) && !p.equals(sparkClasses)) {
                    project.add(p);
                }
            }
            if (!project.contains(codeSource(Main.class))) {
                throw new IllegalStateException("the CLI's classes are not a class folder here: " + codeSource(Main.class));
            }
            jar(dir.resolve("quantize.jar"), project);
            jar(dir.resolve("quantize-spark.jar"), List.of(sparkClasses));
            jars = dir;
        }
        return jars;
    }

    private static Path codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar of the files under {@code folders} (the first folder wins a path two of them hold). */
    private static void jar(Path out, List<Path> folders) throws IOException {
        Set<String> seen = new HashSet<>();
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(out))) {
            for (Path root : folders) {
                try (Stream<Path> s = Files.walk(root)) {
                    for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                        String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                        if (seen.add(name)) {
                            j.putNextEntry(new JarEntry(name));
                            Files.copy(f, (OutputStream) j);
                            j.closeEntry();
                        }
                    }
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        }
    }
}
