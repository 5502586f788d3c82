package io.braid.bench.jmh_generated;
public class PduDecodeBenchmark_jmhType extends PduDecodeBenchmark_jmhType_B3 {
}

