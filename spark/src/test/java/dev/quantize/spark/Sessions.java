package dev.quantize.spark;

import org.apache.spark.sql.SparkSession;

/** Spark sessions for tests: loopback only, no web UI, few shuffle partitions. */
final class Sessions {
    private Sessions() {
    }

    static SparkSession.Builder base(String master) {
        return SparkSession.builder().master(master).appName("quantize-test")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8");
    }

    static SparkSession local() {
        return base("local[2]").getOrCreate();
    }
}
