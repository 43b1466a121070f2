"""`xxgk synth`: realistic report files with their truth, for tests,
the bundled samples and the benchmark."""
