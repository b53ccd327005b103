// Runs a libFuzzer target without libFuzzer, for `make test`: every seed of a corpus
// directory, each seed cut at 16 points and with 64 single-byte changes, and 2000 random
// inputs, all from a fixed seed so a failure repeats. It finds crashes, traps and hangs the
// target's own checks catch; `make fuzz` runs the same targets under libFuzzer with ASan and
// UBSan. Usage: fuzz_replay CORPUS_DIR
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  seeds.emplace_back();
  std::mt19937_64 rng(20261203);
  const auto start = std::chrono::steady_clock::now();
  size_t runs = 0;
  for (const std::string& seed : seeds) {
    Run(seed);
    ++runs;
    for (int cut = 1; cut <= 16 && !seed.empty(); ++cut, ++runs) {
      Run(seed.substr(0, seed.size() * cut / 17));
    }
    for (int flip = 0; flip < 64 && !seed.empty(); ++flip, ++runs) {
      std::string s = seed;
      s[rng() % s.size()] = static_cast<char>(rng());
      Run(s);
    }
  }
  for (int i = 0; i < 2000; ++i, ++runs) {
    std::string s(rng() % 512, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    if (i % 2 == 0 && !seeds.empty() && !seeds[0].empty()) {
      // Random bytes after the start of a real seed reach past the first checks.
      s = seeds[0].substr(0, rng() % seeds[0].size()) + s;
    }
    Run(s);
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu inputs from %zu seeds in %.0f ms: no crash\n", runs, seeds.size(), ms);
  return 0;
}
