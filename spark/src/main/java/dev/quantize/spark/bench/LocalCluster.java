package dev.quantize.spark.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on this machine, for tests and the benchmark: one master and
 * {@code n} workers, each its own JVM started from this JVM's class path, bound to 127.0.0.1, one core and 1 GB each. The workers launch
 * executors from {@code $SPARK_HOME/jars}, a temporary folder of links to the same jars (marked as a
 * distribution by a RELEASE file, with SPARK_SCALA_VERSION set, else the launcher wants a source build); the project's
 * own classes reach executors through {@code spark.executor.extraClassPath}. {@link #close()} (also run
 * by a shutdown hook) stops every process it started, by pid, children first.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path home;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final String url;
    private final String projectClasses;
    private final Thread hook = new Thread(this::stopAll);

    private LocalCluster(int workerCount) throws IOException {
        home = Files.createTempDirectory("quantize-spark-home");
        Runtime.getRuntime().addShutdownHook(hook);
        List<String> jars = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (String e : classPath()) {
            (e.endsWith(".jar") ? jars : dirs).add(e);
        }
        // Spark's launcher takes $SPARK_HOME/jars as the class path only when a RELEASE file marks a distribution.
        Files.writeString(home.resolve("RELEASE"), "Spark from the Maven jars, for quantize's tests\n");
        Path lib = Files.createDirectories(home.resolve("jars"));
        for (String j : jars) {
            Path link = lib.resolve(Path.of(j).getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, Path.of(j).toAbsolutePath());
            }
        }
        projectClasses = String.join(File.pathSeparator, dirs);
        int port = freePort();
        url = "spark://127.0.0.1:" + port;
        master = launch("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--webui-port", String.valueOf(freePort())));
        for (int i = 0; i < workerCount; i++) {
            Path work = Files.createDirectories(home.resolve("work-" + i));
            workers.add(launch("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--cores", "1", "--memory", "1g", "--webui-port", String.valueOf(freePort()), "--work-dir",
                    work.toString(), url)));
        }
    }

    /** Starts a master and {@code workers} workers; the processes register within seconds. */
    public static LocalCluster start(int workers) {
        try {
            return new LocalCluster(workers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return url;
    }

    /** The project's class folders (target/classes of every module), for the executors' class path. */
    public String projectClasses() {
        return projectClasses;
    }

    /** Kills worker {@code i} and the executor it launched, as a machine failure would (SIGKILL, by pid). */
    public void killWorker(int i) {
        Process w = workers.get(i);
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
        try {
            w.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The id of the executor worker {@code i} launched for application {@code appId} (its folder under
     * the worker's work dir, {@code APP/EXECUTOR}), or null.
     */
    public String executorOf(int i, String appId) {
        try (var ids = Files.list(home.resolve("work-" + i).resolve(appId))) {
            for (Path id : ids.toList()) {
                return id.getFileName().toString();
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs stopAll
        }
        deleteTree(home);
    }

    private synchronized void stopAll() {
        List<Process> all = new ArrayList<>(workers);
        all.add(master);
        for (Process p : all) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        for (Process p : all) {
            if (p != null) {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private Process launch(String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(moduleFlags());
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + File.separator + "*");
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        // Without it the launcher looks for a source build's launcher/target/scala-2.13 folder.
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_DIRS", home.toString());
        return pb.start();
    }

    /** This JVM's module and system-property flags (Spark's add-opens, the Vector API, DJL offline). */
    public static List<String> moduleFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("--add-exports")
                    || a.startsWith("-Dai.djl") || a.startsWith("-DOPT_OUT") || a.startsWith("-Djdk.reflect")
                    || a.startsWith("-Dio.netty")) {
                out.add(a);
            }
        }
        return out;
    }

    /** The class path: surefire's in tests (it may hide it behind a manifest-only jar), else the JVM's. */
    public static Set<String> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Set<String> out = new LinkedHashSet<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank() && Files.exists(Path.of(e))) {
                out.add(Path.of(e).toAbsolutePath().toString());
            }
        }
        return out;
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
