// `--objective rating` and `--preset notebook` on the sample in data/, one
// thread: their tables are pinned by a checksum, so any change to what they
// train is seen. There are two checksums: the baseline kernels round each
// product before the add, while avx2 and avx512 fuse them (and agree bit for
// bit); each set this CPU runs is forced in turn with RECSYS_KERNELS.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "recsys/io/model_file.hpp"
#include "support.hpp"

namespace {

// FNV-1a over the bytes of the four tables, in the order of the model file.
std::uint64_t table_checksum(const recsys::TrainedModel& m) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::vector<float>* t :
       {&m.tables.user_vec, &m.tables.item_vec, &m.tables.user_bias, &m.tables.item_bias}) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(t->data());
    for (std::size_t k = 0; k < t->size() * sizeof(float); ++k) {
      h ^= bytes[k];
      h *= 1099511628211ULL;
    }
  }
  return h;
}

std::string hex(std::uint64_t x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

}  // namespace

TEST_CASE("pinned: --objective rating and --preset notebook train the same tables every time",
          "[pinned][cli]") {
  test_support::TempDir dir;
  const std::string ratings = RECSYS_SOURCE_DIR "/data/ratings.csv";
  struct Case {
    const char* options;
    const char* baseline;  // checksum with the baseline kernels
    const char* fused;     // with avx2 or avx512
    int epochs_run;
  };
  for (const Case& c : {Case{"--objective rating", "ca10f080b469ca28", "b61690e99767d820", 0},
                        Case{"--preset notebook", "313ce5cda387b4f9", "7901a8fd19298e2d", 10}}) {
    for (const recsys::kernels::KernelSet* set : recsys::kernels::available()) {
      INFO(c.options << ", kernels " << set->name);
      const std::string model = dir.file("m.model");
      const auto r = test_support::run_cli(
          "train " + ratings + " --threads 1 -q --model " + model + " " + c.options,
          std::string("RECSYS_KERNELS=") + set->name);
      REQUIRE(r.code == 0);
      const recsys::TrainedModel m = recsys::load_model(model);
      CHECK(m.settings.objective == recsys::Objective::Rating);
      const bool fused = set->isa != recsys::kernels::Isa::Baseline;
      CHECK(hex(table_checksum(m)) == (fused ? c.fused : c.baseline));
      if (c.epochs_run) CHECK(m.history.size() == std::size_t(c.epochs_run));
    }
  }
}
