namespace DeclFed.Benchmarks;

/// <summary>Every benchmark by name; each entry runs ours and the peer in one process run and prints ratios.</summary>
internal static class BenchmarkCatalog
{
    public static IReadOnlyDictionary<string, (string Description, Func<string[], Task<int>> Run)> All { get; } =
        new Dictionary<string, (string, Func<string[], Task<int>>)>(StringComparer.Ordinal)
        {
            // One line per benchmark: ["name"] = ("what it measures against which peer", Class.RunAsync),
            ["gemm"] = ("float32 GEMM GFLOP/s vs numpy/OpenBLAS (pinned and unpinned), same threads", GemmBenchmark.RunAsync),
            ["tokenizer"] = ("BPE encode MB/s vs js-tiktoken (cl100k_base, o200k_base)", TokenizerBenchmark.RunAsync),
            ["memory"] = ("peak memory of a LoRA training step vs PyTorch; 100 adapters over one shared base", MemoryBenchmark.RunAsync),
            ["lora-step"] = ("LoRA fine-tuning step tokens/s and MFU vs the identical PyTorch model (≈5M, ≈30M params)", LoraStepBenchmark.RunAsync),
            ["parquet"] = ("Parquet read/write rows/s and MB/s vs DuckDB single-threaded (≈1M instruction rows, SNAPPY)", ParquetBenchmark.RunAsync),
            ["federated"] = ("FlexLoRA exact SVD redistribution vs torch.linalg.svd/numpy; zeroth-order directions vs torch.randn", FederatedBenchmark.RunAsync),
            ["federated-memory"] = ("client simulation peak RSS with 1,000 vs 100 clients (50 per round, ≈5M model, FLoRA) and the base alone", FederatedMemoryBenchmark.RunAsync),
        };
}
