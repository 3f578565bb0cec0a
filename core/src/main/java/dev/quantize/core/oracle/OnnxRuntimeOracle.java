package dev.quantize.core.oracle;

import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.core.tensor.DataType;
import dev.quantize.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime (through Deep Java Library) as an independent FP32 reference: the same model file
 * run by a runtime that shares no code with the project's executor.
 *
 * <p>Inputs and outputs are the project's tensors; float32, float64, int64, int32, int8, uint8 and
 * bool cross over. Outputs are named by the model's graph outputs (DJL returns them in that order,
 * without names). Not thread-safe: one run at a time per oracle.
 *
 * <p>DJL is kept offline: the class initializer sets {@code ai.djl.offline} and
 * {@code OPT_OUT_TRACKING} before any DJL class is initialised, since DJL otherwise contacts the
 * network at start-up.
 */
public final class OnnxRuntimeOracle implements AutoCloseable {
    static {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
    }

    private static final List<DataType> SUPPORTED = List.of(DataType.FLOAT32, DataType.FLOAT64, DataType.INT64,
            DataType.INT32, DataType.INT8, DataType.UINT8, DataType.BOOL);

    private final String fileName;
    private final List<ValueInfo> inputs;
    private final List<String> outputNames;
    private final int threads;
    private final ZooModel<NDList, NDList> zoo;
    private boolean closed;

    private OnnxRuntimeOracle(String fileName, List<ValueInfo> inputs, List<String> outputNames, int threads,
                              ZooModel<NDList, NDList> zoo) {
        this.fileName = fileName;
        this.inputs = inputs;
        this.outputNames = outputNames;
        this.threads = threads;
        this.zoo = zoo;
    }

    /**
     * Loads {@code modelFile} into an ONNX Runtime session that runs nodes one after another, each
     * on at most {@code threads} threads (ORT's intra-op count, which includes the calling thread).
     */
    public static OnnxRuntimeOracle open(Path modelFile, int threads) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        String name = String.valueOf(modelFile.getFileName());
        if (!Files.isRegularFile(modelFile)) {
            throw new OracleException(name + ": no such model file (" + modelFile.toAbsolutePath() + ")");
        }
        // The project's reader gives the names and types; it also rejects malformed files with a clear message.
        Model model = OnnxReader.read(modelFile);
        List<ValueInfo> runtimeInputs = model.graph().runtimeInputs();
        List<String> outs = model.graph().outputs().stream().map(ValueInfo::name).toList();
        try {
            return new OnnxRuntimeOracle(name, runtimeInputs, outs, threads, load(modelFile.toAbsolutePath(), threads));
        } catch (UnsupportedOperationException confused) {
            // DJL resolves a model file through its folder and can pick the wrong thing when the folder holds
            // other models ("does not support dynamic blocks"); a private folder with only this file settles it.
            Path dir = Files.createTempDirectory("quantize-ort-");
            Path link = dir.resolve("model.onnx");
            try {
                Files.createSymbolicLink(link, modelFile.toAbsolutePath());
                return new OnnxRuntimeOracle(name, runtimeInputs, outs, threads, load(link, threads));
            } finally {
                Files.deleteIfExists(link);
                Files.deleteIfExists(dir);
            }
        }
    }

    private static ZooModel<NDList, NDList> load(Path modelFile, int threads) throws IOException {
        Criteria<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optEngine("OnnxRuntime")
                .optModelPath(modelFile)
                .optTranslator(new NoopTranslator())
                .optOption("intraOpNumThreads", Integer.toString(threads))
                .optOption("interOpNumThreads", "1")
                .optOption("executionMode", "SEQUENTIAL")
                .build();
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException | EngineException e) {
            throw new OracleException(modelFile.getFileName() + ": ONNX Runtime cannot load the model: " + causeChain(e), e);
        }
    }

    /** The model's graph inputs that are not initializers, in declaration order. */
    public List<ValueInfo> inputs() {
        return inputs;
    }

    /** The model's graph output names, in declaration order (the order of {@link #run}'s result). */
    public List<String> outputNames() {
        return outputNames;
    }

    public int threads() {
        return threads;
    }

    /** Runs the model on named inputs (every runtime input, nothing else) and returns every output. */
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        if (closed) {
            throw new IllegalStateException(fileName + ": oracle is closed");
        }
        checkFeeds(feeds);
        try (NDManager runManager = zoo.getNDManager().newSubManager()) {
            NDList list = new NDList(inputs.size());
            for (ValueInfo in : inputs) {
                NDArray a = toNd(runManager, in.name(), feeds.get(in.name()));
                a.setName(in.name());
                list.add(a);
            }
            NDList out;
            try {
                out = zoo.getBlock().forward(new ParameterStore(runManager, false), list, false);
            } catch (EngineException | IllegalArgumentException e) {
                throw new OracleException(fileName + ": ONNX Runtime failed to run the model: " + causeChain(e), e);
            }
            if (out.size() != outputNames.size()) {
                throw new OracleException(fileName + ": ONNX Runtime returned " + out.size() + " outputs, the model declares "
                        + outputNames.size() + " " + outputNames);
            }
            Map<String, Tensor> result = new LinkedHashMap<>();
            for (int i = 0; i < out.size(); i++) {
                result.put(outputNames.get(i), fromNd(outputNames.get(i), out.get(i)));
            }
            return result;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            zoo.close();
        }
    }

    private void checkFeeds(Map<String, Tensor> feeds) {
        List<String> problems = new ArrayList<>();
        for (String name : feeds.keySet()) {
            if (inputs.stream().noneMatch(v -> v.name().equals(name))) {
                problems.add("unknown input '" + name + "'");
            }
        }
        for (ValueInfo in : inputs) {
            Tensor t = feeds.get(in.name());
            if (t == null) {
                problems.add("missing input '" + in.name() + "' (expected " + in + ")");
            } else if (in.type() != null && in.type() != t.type()) {
                problems.add("input '" + in.name() + "': expected element type " + in.type() + ", got " + t.type());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(fileName + ": " + String.join("; ", problems) + " (the model's inputs are "
                    + inputs.stream().map(ValueInfo::name).toList() + ")");
        }
    }

    private NDArray toNd(NDManager m, String name, Tensor t) {
        int[] dims = t.shape();
        long[] ldims = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            ldims[i] = dims[i];
        }
        Shape shape = new Shape(ldims);
        return switch (t.type()) {
            case FLOAT32 -> m.create(t.floats(), shape);
            case FLOAT64 -> m.create(t.doubles(), shape);
            case INT64 -> m.create(t.longs(), shape);
            case INT32 -> {
                long[] v = t.longs();
                int[] a = new int[v.length];
                for (int i = 0; i < v.length; i++) {
                    a[i] = (int) v[i];
                }
                yield m.create(a, shape);
            }
            case INT8, UINT8 -> {
                long[] v = t.longs();
                ByteBuffer b = ByteBuffer.allocate(v.length);
                for (long x : v) {
                    b.put((byte) x);
                }
                b.flip();
                yield m.create(b, shape, t.type() == DataType.INT8 ? ai.djl.ndarray.types.DataType.INT8
                        : ai.djl.ndarray.types.DataType.UINT8);
            }
            case BOOL -> {
                long[] v = t.longs();
                boolean[] a = new boolean[v.length];
                for (int i = 0; i < v.length; i++) {
                    a[i] = v[i] != 0;
                }
                yield m.create(a, shape);
            }
            default -> throw new IllegalArgumentException(fileName + ": input '" + name + "' has element type " + t.type()
                    + ", which the ONNX Runtime oracle does not pass (supported: " + SUPPORTED + ")");
        };
    }

    private Tensor fromNd(String name, NDArray a) {
        long[] ldims = a.getShape().getShape();
        int[] shape = new int[ldims.length];
        for (int i = 0; i < ldims.length; i++) {
            shape[i] = Math.toIntExact(ldims[i]);
        }
        ai.djl.ndarray.types.DataType type = a.getDataType();
        switch (type) {
            case FLOAT32:
                return Tensor.ofFloats(shape, a.toFloatArray());
            case FLOAT64:
                return Tensor.ofDoubles(shape, a.toDoubleArray());
            case INT64:
                return Tensor.ofLongs(shape, a.toLongArray());
            case INT32: {
                int[] v = a.toIntArray();
                return Tensor.ofLongs(DataType.INT32, shape, Arrays.stream(v).asLongStream().toArray());
            }
            case INT8: {
                byte[] v = a.toByteArray();
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = v[i];
                }
                return Tensor.ofLongs(DataType.INT8, shape, l);
            }
            case UINT8: {
                byte[] v = a.toByteArray();
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = v[i] & 0xFF;
                }
                return Tensor.ofLongs(DataType.UINT8, shape, l);
            }
            case BOOLEAN: {
                boolean[] v = a.toBooleanArray();
                long[] l = new long[v.length];
                for (int i = 0; i < v.length; i++) {
                    l[i] = v[i] ? 1 : 0;
                }
                return Tensor.ofLongs(DataType.BOOL, shape, l);
            }
            default:
                throw new OracleException(fileName + ": output '" + name + "' has element type " + type
                        + ", which the ONNX Runtime oracle does not convert (supported: " + SUPPORTED + ")");
        }
    }

    private static String causeChain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m.replace('\n', ' '));
            }
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }

    @Override
    public String toString() {
        return "OnnxRuntimeOracle(" + fileName + ", " + threads + " threads)";
    }
}
