package dev.quantize.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quantize.core.graph.Model;
import dev.quantize.core.graph.ModelSummary;
import dev.quantize.core.graph.ValueInfo;
import dev.quantize.core.onnx.OnnxReader;
import java.io.PrintWriter;
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
        description = "Show a model's inputs and outputs, op census, parameters, and which nodes are quantizable.")
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "An .onnx model.")
    Path modelPath;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws java.io.IOException {
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
