package io.braid.bench.jmh_generated;
public class PduEncodeBenchmark_jmhType extends PduEncodeBenchmark_jmhType_B3 {
}

