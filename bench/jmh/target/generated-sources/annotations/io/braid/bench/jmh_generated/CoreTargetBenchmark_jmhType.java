package io.braid.bench.jmh_generated;
public class CoreTargetBenchmark_jmhType extends CoreTargetBenchmark_jmhType_B3 {
}

