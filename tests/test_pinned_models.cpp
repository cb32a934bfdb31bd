// `--objective rating` and `--preset notebook` train the same models as
// before the choice objective became the default: their tables on the
// sample in data/ are pinned by a checksum taken from the release before
// that change (its model files and these compare equal byte for byte).
//
// Adam's loop is compiled as AVX2, FMA and baseline x86-64 clones, one picked
// at run time per CPU; they may round differently, so the pinned bytes are
// those of an x86-64 CPU with both AVX2 and FMA, and the test is skipped elsewhere.
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

bool has_avx2_fma() {
#if defined(__x86_64__) && defined(__GNUC__)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

std::string hex(std::uint64_t x) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

}  // namespace

TEST_CASE("pinned: --objective rating and --preset notebook train the models they always did",
          "[pinned][cli]") {
  if (!has_avx2_fma()) {
    WARN("skipped: the pinned bytes are those of an AVX2+FMA x86-64 CPU");
    return;
  }
  test_support::TempDir dir;
  const std::string ratings = RECSYS_SOURCE_DIR "/data/ratings.csv";
  struct Case {
    const char* options;
    const char* checksum;
    int epochs_run;
  };
  for (const Case& c : {Case{"--objective rating", "3b01d9709010d489", 0},
                        Case{"--preset notebook", "db8a155ade8df2ba", 10}}) {
    INFO(c.options);
    const std::string model = dir.file("m.model");
    const auto r = test_support::run_cli("train " + ratings + " --threads 1 -q --model " + model +
                                         " " + c.options);
    REQUIRE(r.code == 0);
    const recsys::TrainedModel m = recsys::load_model(model);
    CHECK(m.settings.objective == recsys::Objective::Rating);
    CHECK(hex(table_checksum(m)) == c.checksum);
    if (c.epochs_run) CHECK(m.history.size() == std::size_t(c.epochs_run));
  }
}
