package dev.quantize.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantize.cli.Main;
import dev.quantize.quantizer.search.Metric;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's {@code --spark} with Spark on the class path: same figures, bad rows named by file and column. */
class CliSparkTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    /** The command line in this JVM (as the other tests' single-JVM side too). */
    static Run cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void evalWithSparkGivesTheSingleJvmAuc() throws Exception {
        Path data = Fixture.data();
        Run r = cli("eval", ScaleOutData.model().toString(), "--data", data.toString(), "--batch", String.valueOf(Fixture.BATCH),
                "--json", "--spark", "local[2]");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(Fixture.evalRows(), j.get("rows").asLong());
        assertEquals("binary", j.get("task").asText());
        assertEquals(Fixture.evaluation().get(Metric.AUC), j.get("metrics").get("auc").asDouble(), 0);
        assertEquals(Fixture.evaluation().get(Metric.NE), j.get("metrics").get("ne").asDouble(),
                1e-12 * Fixture.evaluation().get(Metric.NE));
    }

    @Test
    void aBadRowFailsInOneLineNamingTheFileAndTheColumn() throws Exception {
        Path bad = tmp.resolve("bad");
        SparkSession spark = Sessions.base("local[1]").getOrCreate();
        try {
            List<StructField> fields = new ArrayList<>();
            fields.add(DataTypes.createStructField("dense", DataTypes.createArrayType(DataTypes.FloatType), true));
            for (int c = 0; c < 8; c++) {
                fields.add(DataTypes.createStructField("cat_" + c, DataTypes.createArrayType(DataTypes.LongType), true));
            }
            fields.add(DataTypes.createStructField("labels", DataTypes.FloatType, true));
            List<Row> rows = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                Object[] v = new Object[10];
                v[0] = Arrays.asList(new Float[r == 2 ? 12 : 13]).stream().map(x -> 0.5f).toList(); // row 2: 12 values
                for (int c = 0; c < 8; c++) {
                    v[c + 1] = List.of(1L, 2L);
                }
                v[9] = 1f;
                rows.add(RowFactory.create(v));
            }
            spark.createDataFrame(rows, DataTypes.createStructType(fields)).coalesce(1).write().parquet(bad.toString());
        } finally {
            spark.stop();
        }
        Path out = tmp.resolve("stats.json");
        Run r = cli("calibrate", ScaleOutData.model().toString(), "--data", bad.toString(), "-o", out.toString(),
                "--spark", "local[2]");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("part-") && r.err().contains(".parquet"), "names the file: " + r.err());
        assertTrue(r.err().contains("column 'dense': array of 12 values, expected 13"), r.err());
        assertFalse(Files.exists(out));
    }

    /** The main job's --spark goes through the bridge for the sensitivity trials too: a report with every trial. */
    @Test
    void mainJobWithSparkRunsTheSearchTrials() throws Exception {
        Path shared = ScaleOutData.shared();
        Path out = tmp.resolve("m.qz");
        Run r = cli(ScaleOutData.model().toString(), "--calib", Fixture.data().resolve("date=" + ScaleOutData.EVAL_DATE).toString(), "--calib-rows", "2048",
                "--eval", shared.resolve("eval").toString(), "--eval-rows", "512", "--batch", "256",
                "--formats", "int8,mxfp4_e2m1", "--threads", "1", "--json", "-o", out.toString(), "--spark", "local[2]");
        assertTrue(r.code() == 0 || r.code() == 1, r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        int layers = dev.quantize.quantizer.plan.QuantPlan.fp32(dev.quantize.core.onnx.OnnxReader.read(ScaleOutData.model())).layers().size();
        assertEquals(2 * layers, j.get("sensitivity_trials").asInt(), r.out());
        assertTrue(Files.isRegularFile(out));
    }
}
