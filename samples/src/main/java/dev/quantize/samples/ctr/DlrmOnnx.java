package dev.quantize.samples.ctr;

import dev.quantize.core.graph.Attribute;
import dev.quantize.core.graph.Model;
import dev.quantize.core.tensor.DataType;
import dev.quantize.samples.GraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The trained DLRM as an ONNX graph: Gemm/Relu MLPs; per table Gather then ReduceSum over the bag
 * (sum pooling); the interaction as MatMul of the stacked vectors with their transpose, flattened,
 * with the strictly lower triangle picked by a constant Gather; Sigmoid at the end.
 */
final class DlrmOnnx {
    static final String DENSE_INPUT = "dense";
    static final String OUTPUT = "prob";

    private DlrmOnnx() {
    }

    static String categoricalInput(int f) {
        return "cat_" + f;
    }

    static Model export(Dlrm m, Map<String, String> metadata) {
        GraphBuilder g = new GraphBuilder("dlrm");
        String x = g.input(DENSE_INPUT, DataType.FLOAT32, CtrWorld.DENSE);
        for (int f = 0; f < CtrWorld.TABLE_SIZES.length; f++) {
            g.input(categoricalInput(f), DataType.INT64, CtrWorld.BAG[f]);
        }
        g.output(OUTPUT, DataType.FLOAT32, 1);
        for (int l = 0; l < 3; l++) {
            x = g.gemm("bottom_mlp." + 2 * l, x, m.bottomW[l].shape, m.bottomW[l].value, m.bottomB[l].value);
            x = g.node("bottom_mlp." + (2 * l + 1), "Relu", List.of(x));
        }
        String axis1 = g.longs("axes_1", 1);
        List<String> stacked = new ArrayList<>();
        stacked.add(g.node("interaction.unsqueeze.0", "Unsqueeze", List.of(x, axis1)));
        for (int f = 0; f < CtrWorld.TABLE_SIZES.length; f++) {
            String table = g.floats("emb_bags." + f + ".weight", m.tables[f].shape, m.tables[f].value);
            String rows = g.node("emb_bags." + f + ".gather", "Gather", List.of(table, categoricalInput(f)),
                    Attribute.of("axis", 0L));
            String pooled = g.node("emb_bags." + f + ".pool", "ReduceSum", List.of(rows, axis1),
                    "emb_bags." + f + ".pooled", Attribute.of("keepdims", 0L));
            stacked.add(g.node("interaction.unsqueeze." + (f + 1), "Unsqueeze", List.of(pooled, axis1)));
        }
        String t = g.node("interaction.stack", "Concat", stacked, Attribute.of("axis", 1L));
        String tt = g.node("interaction.transpose", "Transpose", List.of(t), Attribute.ofInts("perm", 0, 2, 1));
        String z = g.node("interaction.dot", "MatMul", List.of(t, tt));
        String flat = g.node("interaction.flatten", "Flatten", List.of(z), Attribute.of("axis", 1L));
        long[] lower = new long[Dlrm.PAIRS];
        int k = 0;
        for (int i = 1; i < Dlrm.VECTORS; i++) {
            for (int j = 0; j < i; j++) {
                lower[k++] = (long) i * Dlrm.VECTORS + j;
            }
        }
        String pairs = g.node("interaction.pairs", "Gather", List.of(flat, g.longs("interaction.pair_index", lower)),
                Attribute.of("axis", 1L));
        String top = g.node("interaction.concat", "Concat", List.of(x, pairs), Attribute.of("axis", 1L));
        for (int l = 0; l < 3; l++) {
            top = g.gemm("top_mlp." + 2 * l, top, m.topW[l].shape, m.topW[l].value, m.topB[l].value);
            if (l < 2) {
                top = g.node("top_mlp." + (2 * l + 1), "Relu", List.of(top));
            }
        }
        g.node("sigmoid", "Sigmoid", List.of(top), OUTPUT);
        return g.build(metadata);
    }
}
