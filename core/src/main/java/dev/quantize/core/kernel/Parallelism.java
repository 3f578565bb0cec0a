package dev.quantize.core.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * A fixed worker count for the heavy kernels. Work is split into at most {@link #threads()} contiguous
 * chunks; the calling thread runs the first chunk itself and the others go to a shared pool of daemon
 * threads (one pool per worker count, created on first use). Fork/join pools let a chunk that is itself
 * parallel (nested calls) help instead of blocking, so nesting cannot deadlock.
 */
public final class Parallelism {
    private static final Parallelism SINGLE = new Parallelism(1);
    private static final ConcurrentMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private final int threads;

    private Parallelism(int threads) {
        this.threads = threads;
    }

    public static Parallelism of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
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

    /** Runs body over [0, n) split into contiguous chunks; inline when threads == 1 or n < 2. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    /**
     * As {@link #parallelFor(int, RangeBody)}, but no chunk is smaller than minChunk (except when n itself
     * is), so that tiny loops stay on the calling thread.
     */
    public void parallelFor(int n, int minChunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, Parallelism::newPool);
        List<ForkJoinTask<?>> forked = new ArrayList<>(chunks - 1);
        for (int i = 1; i < chunks; i++) {
            int start = chunkStart(n, chunks, i);
            int end = chunkStart(n, chunks, i + 1);
            ForkJoinTask<?> task = ForkJoinTask.adapt(() -> body.run(start, end));
            forked.add(ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool
                    ? task.fork() : pool.submit(task));
        }
        Throwable failure = null;
        try {
            body.run(0, chunkStart(n, chunks, 1));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        // Wait for every chunk even after a failure, so no chunk still writes into the caller's arrays.
        for (ForkJoinTask<?> task : forked) {
            try {
                task.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure != null) {
            throw (Error) failure;
        }
    }

    private static int chunkStart(int n, int chunks, int i) {
        return (int) ((long) n * i / chunks);
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setDaemon(true);
            t.setName("quantize-kernel-" + threads + "-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    @Override
    public String toString() {
        return "Parallelism(" + threads + ")";
    }

    /** One chunk of work: the half-open index range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }
}
