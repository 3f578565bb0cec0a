package dev.quantize.core.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

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
        List<Chunk> forked = new ArrayList<>(chunks - 1);
        for (int i = 1; i < chunks; i++) {
            Chunk chunk = new Chunk(body, chunkStart(n, chunks, i), chunkStart(n, chunks, i + 1));
            if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool) {
                chunk.fork();
            } else {
                pool.execute(chunk);
            }
            forked.add(chunk);
        }
        Chunk first = new Chunk(body, 0, chunkStart(n, chunks, 1));
        first.compute();
        // Wait for every chunk even after a failure, so no chunk still writes into the caller's arrays.
        Throwable failure = first.failure;
        for (Chunk chunk : forked) {
            chunk.join();
            if (chunk.failure != null) {
                if (failure == null) {
                    failure = chunk.failure;
                } else {
                    failure.addSuppressed(chunk.failure);
                }
            }
        }
        if (failure instanceof RuntimeException) {
            throw (RuntimeException) failure;
        }
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure != null) {
            throw new IllegalStateException("parallel chunk failed", failure);
        }
    }

    /** One chunk; keeps its own failure so the caller rethrows the original exception, not a copy. */
    private static final class Chunk extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient RangeBody body;
        private final int start;
        private final int end;
        private Throwable failure;

        Chunk(RangeBody body, int start, int end) {
            this.body = body;
            this.start = start;
            this.end = end;
        }

        @Override
        protected void compute() {
            try {
                body.run(start, end);
            } catch (Throwable t) { // handed to the caller of parallelFor, which rethrows it
                failure = t;
            }
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
