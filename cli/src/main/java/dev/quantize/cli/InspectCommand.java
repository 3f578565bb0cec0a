package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import dev.quantize.quantizer.artifact.Artifact;
import dev.quantize.quantizer.artifact.Provenance;
import dev.quantize.quantizer.artifact.TensorEntry;
import dev.quantize.quantizer.plan.LayerPlan;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code quantize inspect MODEL}: what is in a model, and what of it can be quantized. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show a model's inputs and outputs, op census, parameters, and which nodes are quantizable.",
                "For a quantized artifact: its provenance, and the plan with each weight's packed size against FP32."})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx model or a quantized artifact.")
    Path modelPath;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws java.io.IOException {
        if (Artifact.isArtifact(modelPath)) {
            try (Artifact a = Artifact.open(modelPath)) {
                inspectArtifact(a, spec.commandLine().getOut());
            }
            return 0;
        }
        Model model = OnnxReader.read(modelPath);
        ModelSummary s = ModelSummary.of(model);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            root.put("model", modelPath.toString());
            root.put("ir_version", model.irVersion());
            root.put("opset", model.opset());
            root.put("producer", model.producerName() + " " + model.producerVersion());
            root.set("inputs", values(s.inputs()));
            root.set("outputs", values(s.outputs()));
            ObjectNode census = root.putObject("op_census");
            s.opCensus().forEach(census::put);
            root.put("parameters", s.parameterCount());
            root.put("parameter_bytes", s.parameterBytes());
            ArrayNode q = root.putArray("quantizable");
            for (ModelSummary.QuantizableNode n : s.quantizable()) {
                ObjectNode o = q.addObject();
                o.put("node", n.node());
                o.put("op", n.opType());
                o.put("role", n.role().name().toLowerCase());
                o.put("weight", n.weight());
            }
            Json.print(out, root);
            return 0;
        }
        out.println(modelPath + ": IR version " + model.irVersion() + ", opset " + model.opset()
                + (model.producerName().isEmpty() ? "" : ", produced by " + model.producerName() + " " + model.producerVersion()));
        out.println();
        Table io = new Table("", "name", "type", "shape");
        for (ValueInfo v : s.inputs()) {
            io.row("input", v.name(), typeName(v), String.valueOf(v.shape()));
        }
        for (ValueInfo v : s.outputs()) {
            io.row("output", v.name(), typeName(v), String.valueOf(v.shape()));
        }
        io.print(out);
        out.println();
        StringBuilder census = new StringBuilder("ops: ");
        int i = 0;
        for (Map.Entry<String, Integer> e : s.opCensus().entrySet()) {
            census.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
        }
        out.println(census);
        out.printf("parameters: %,d (%s)%n", s.parameterCount(), Bytes.human(s.parameterBytes()));
        out.println();
        Table q = new Table("quantizable node", "op", "role", "weight");
        for (ModelSummary.QuantizableNode n : s.quantizable()) {
            q.row(n.node(), n.opType(), n.role().name().toLowerCase().replace('_', ' '), n.weight().isEmpty() ? "-" : n.weight());
        }
        q.print(out);
        out.flush();
        return 0;
    }

    /** One planned layer of an artifact with the bytes its weight takes packed and at FP32. */
    private record LayerRow(LayerPlan layer, long packedBytes, long fp32Bytes) {
    }

    private void inspectArtifact(Artifact a, PrintWriter out) {
        Provenance p = a.provenance();
        List<LayerRow> rows = new ArrayList<>();
        for (LayerPlan l : a.plan().layers()) {
            boolean stored = !l.weight().isEmpty() && a.tensors().stream().anyMatch(t -> t.name().equals(l.weight()));
            TensorEntry t = stored ? a.tensor(l.weight()) : null;
            rows.add(new LayerRow(l, t == null ? 0 : t.length(), t == null ? 0 : fp32Bytes(t)));
        }
        long tensorBytes = a.tensors().stream().mapToLong(TensorEntry::length).sum();
        long fp32 = a.tensors().stream().mapToLong(InspectCommand::fp32Bytes).sum();
        if (json) {
            ObjectNode root = Json.object();
            root.put("artifact", modelPath.toString());
            root.put("format_version", a.formatVersion());
            root.put("tool_version", p.toolVersion());
            root.put("source_model", p.sourceModel());
            root.put("source_sha256", p.sourceSha256());
            root.put("file_bytes", a.fileLength());
            root.put("tensor_bytes", tensorBytes);
            root.put("fp32_bytes", fp32);
            root.put("has_calibration", a.calibrationJson().isPresent());
            root.put("has_search_report", a.reportJson().isPresent());
            ArrayNode layers = root.putArray("layers");
            for (LayerRow r : rows) {
                ObjectNode o = layers.addObject();
                o.put("node", r.layer().node());
                o.put("op", r.layer().op());
                o.put("weight", r.layer().weight());
                o.put("weight_format", r.layer().weightFormat());
                o.put("activation_format", r.layer().activationFormat());
                o.put("packed_bytes", r.packedBytes());
                o.put("fp32_bytes", r.fp32Bytes());
            }
            Json.print(out, root);
            return;
        }
        out.println(modelPath + ": quantize artifact, format version " + a.formatVersion());
        out.println("written by " + p.toolVersion() + " from " + (p.sourceModel().isEmpty() ? "(unnamed model)" : p.sourceModel())
                + " (sha256 " + p.sourceSha256() + ")");
        out.println("calibration statistics: " + (a.calibrationJson().isPresent() ? "yes" : "no")
                + ", search report: " + (a.reportJson().isPresent() ? "yes" : "no"));
        out.println();
        Table t = new Table("layer", "op", "weight format", "activation format", "packed bytes", "fp32 bytes");
        for (LayerRow r : rows) {
            t.row(r.layer().node(), r.layer().op(), r.layer().weightFormat(), r.layer().activationFormat(),
                    r.fp32Bytes() == 0 ? "-" : String.format("%,d", r.packedBytes()),
                    r.fp32Bytes() == 0 ? "-" : String.format("%,d", r.fp32Bytes()));
        }
        t.print(out);
        out.println();
        out.printf("tensors: %s packed vs %s at FP32 (%.1f%%); file %s%n", Bytes.human(tensorBytes), Bytes.human(fp32),
                fp32 == 0 ? 100.0 : 100.0 * tensorBytes / fp32, Bytes.human(a.fileLength()));
        out.flush();
    }

    /** What a stored tensor would take as float32 (raw tensors: as stored). */
    private static long fp32Bytes(TensorEntry t) {
        return t.storage() instanceof TensorEntry.Packed ? t.elements() * Float.BYTES : t.length();
    }

    private static String typeName(ValueInfo v) {
        return v.type() == null ? "?" : v.type().name().toLowerCase();
    }

    private static ArrayNode values(java.util.List<ValueInfo> list) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (ValueInfo v : list) {
            ObjectNode o = arr.addObject();
            o.put("name", v.name());
            o.put("type", typeName(v));
            o.put("shape", String.valueOf(v.shape()));
        }
        return arr;
    }
}
