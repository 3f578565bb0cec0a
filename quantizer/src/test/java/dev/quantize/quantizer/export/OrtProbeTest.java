package dev.quantize.quantizer.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quantize.core.tensor.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtProbeTest {
    /** Every form the exporter can produce, for the record of what the bundled ORT runs. */
    static List<QdqForm> allForms() {
        List<QdqForm> forms = new ArrayList<>();
        for (DataType t : List.of(DataType.INT8, DataType.INT4, DataType.FLOAT8E4M3FN, DataType.FLOAT8E5M2)) {
            for (QdqForm.Layout l : List.of(QdqForm.Layout.PER_TENSOR, QdqForm.Layout.PER_AXIS, QdqForm.Layout.BLOCKED)) {
                forms.add(new QdqForm(QdqForm.DEQUANTIZE, t, l));
            }
        }
        forms.add(new QdqForm(QdqForm.QUANTIZE, DataType.INT8, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.QUANTIZE, DataType.FLOAT8E4M3FN, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.QUANTIZE, DataType.FLOAT8E5M2, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.CAST, DataType.FLOAT16, QdqForm.Layout.CAST));
        forms.add(new QdqForm(QdqForm.CAST, DataType.BFLOAT16, QdqForm.Layout.CAST));
        forms.add(new QdqForm(QdqForm.CAST, DataType.FLOAT8E4M3FN, QdqForm.Layout.SCALED_CAST));
        forms.add(new QdqForm(QdqForm.CAST, DataType.FLOAT8E5M2, QdqForm.Layout.SCALED_CAST));
        forms.add(new QdqForm(QdqForm.QDQ_MATMUL, DataType.INT8, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.QDQ_MATMUL, DataType.FLOAT8E4M3FN, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.QDQ_AFTER_RELU, DataType.INT8, QdqForm.Layout.PER_TENSOR));
        forms.add(new QdqForm(QdqForm.QDQ_AFTER_RELU, DataType.FLOAT8E4M3FN, QdqForm.Layout.PER_TENSOR));
        return forms;
    }

    @Test
    void bundledRuntimeRunsTheInt8AndFp8Forms() {
        Map<QdqForm, OrtProbe.Support> s = OrtProbe.probe(allForms());
        System.out.println("ONNX Runtime " + OrtProbe.runtimeVersion() + ":");
        s.values().forEach(v -> System.out.println("  " + v.form() + ": " + (v.runs() ? "runs" : "NO (" + v.detail() + ")")));
        assertEquals(allForms().size(), s.size());
        // The forms the INT8 and FP8 plans need are in ORT since 1.16 (opset 19).
        for (QdqForm f : List.of(new QdqForm(QdqForm.DEQUANTIZE, DataType.INT8, QdqForm.Layout.PER_TENSOR),
                new QdqForm(QdqForm.DEQUANTIZE, DataType.INT8, QdqForm.Layout.PER_AXIS),
                new QdqForm(QdqForm.QUANTIZE, DataType.INT8, QdqForm.Layout.PER_TENSOR),
                new QdqForm(QdqForm.DEQUANTIZE, DataType.FLOAT8E4M3FN, QdqForm.Layout.PER_TENSOR),
                new QdqForm(QdqForm.QUANTIZE, DataType.FLOAT8E4M3FN, QdqForm.Layout.PER_TENSOR),
                new QdqForm(QdqForm.CAST, DataType.FLOAT8E4M3FN, QdqForm.Layout.SCALED_CAST),
                new QdqForm(QdqForm.QDQ_MATMUL, DataType.INT8, QdqForm.Layout.PER_TENSOR))) {
            assertTrue(s.get(f).runs(), f + ": " + s.get(f).detail());
        }
    }
}
