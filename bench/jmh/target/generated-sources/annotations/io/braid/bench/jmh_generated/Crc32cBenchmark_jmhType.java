package io.braid.bench.jmh_generated;
public class Crc32cBenchmark_jmhType extends Crc32cBenchmark_jmhType_B3 {
}

