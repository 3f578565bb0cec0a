package dev.quantize.core.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;
import java.util.ArrayList;
import java.util.List;

/** A fixed worker count for the heavy kernels; work runs on a shared pool of daemon threads. */
public final class Parallelism {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "quantize-worker");
        t.setDaemon(true);
        return t;
    });
    private static final Parallelism SINGLE = new Parallelism(1);

    private final int threads;

    private Parallelism(int threads) {
        this.threads = threads;
    }

    public static Parallelism of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return threads == 1 ? SINGLE : new Parallelism(threads);
    }

    public static Parallelism single() {
        return SINGLE;
    }

    public static Parallelism defaultForMachine() {
        return of(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /** Work on the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** Splits [0, n) into at most {@code threads} contiguous chunks; the caller runs the first. */
    public void parallelFor(int n, RangeBody body) {
        int chunks = Math.min(threads, n);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int s = (int) ((long) n * c / chunks);
            int e = (int) ((long) n * (c + 1) / chunks);
            futures.add(POOL.submit(() -> body.run(s, e)));
        }
        body.run(0, (int) ((long) n / chunks));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            } catch (ExecutionException ex) {
                Throwable cause = ex.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
    }
}
