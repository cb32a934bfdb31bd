// TrainConfig: one table of settings with their defaults, presets, checks and
// text forms. Every setting must survive text and back to the same bits, each
// check must name the option a user types, and JSON must list every setting.
#include <catch2/catch.hpp>
#include <cstring>
#include <set>

#include "recsys/output/json_writer.hpp"
#include "recsys/train/train_config.hpp"
#include "recsys/util/error.hpp"

using recsys::TrainConfig;

namespace {

std::string error_of(const TrainConfig& c) {
  try {
    c.check();
  } catch (const recsys::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("train config: the default preset is per objective, notebook is the notebook's",
          "[train_config]") {
  const TrainConfig d = TrainConfig::from_preset("default");
  CHECK(d.preset == "default");
  CHECK(d.objective == recsys::Objective::Choice);
  CHECK(d.dim == 64);
  CHECK(d.epochs == 100);
  CHECK(d.lr == 0.02);
  CHECK(d.weight_decay == 10);
  CHECK(d.init_std == 0.1);
  CHECK(d.negative_weight == 0.75);
  CHECK(d.early_stopping == 0);
  CHECK(d.min_delta == 0);
  // TrainConfig{} is what `recsys train` does with no options.
  CHECK(recsys::setting_text(d, "dim") == recsys::setting_text(TrainConfig{}, "dim"));
  for (const auto& s : recsys::train_settings())
    CHECK(recsys::setting_text(d, s.key) == recsys::setting_text(TrainConfig{}, s.key));

  const TrainConfig r = TrainConfig::from_preset("default", recsys::Objective::Rating);
  CHECK(r.preset == "default");
  CHECK(r.objective == recsys::Objective::Rating);
  CHECK(r.dim == 32);
  CHECK(r.epochs == 30);
  CHECK(r.batch == 256u);
  CHECK(r.lr == 0.002);
  CHECK(r.weight_decay == 3e-5);
  CHECK(r.init_std == 0.01);
  CHECK(r.optimizer == recsys::Adam::Mode::Sparse);
  CHECK(r.early_stopping == 3);
  CHECK(r.min_delta == 0.001);
  CHECK(r.negative_weight == 0.5);

  const TrainConfig n = TrainConfig::from_preset("notebook");
  CHECK(n.preset == "notebook");
  CHECK(n.objective == recsys::Objective::Rating);
  CHECK(n.dim == 16);
  CHECK(n.epochs == 10);
  CHECK(n.batch == 64u);
  CHECK(n.lr == 0.01);
  CHECK(n.weight_decay == 0.0);
  CHECK(n.init_std == 1.0);
  CHECK(n.optimizer == recsys::Adam::Mode::Dense);
  CHECK(n.early_stopping == 0);
  CHECK(n.min_delta == 0);
  CHECK(n.negative_weight == 0.5);
  // A preset leaves the run's other settings at their defaults.
  CHECK(n.seed == 42u);
  CHECK(n.val_fraction == 0.1);
  CHECK(n.shuffle == recsys::Shuffle::Auto);
  // The objective asked for goes with the notebook's settings.
  CHECK(TrainConfig::from_preset("notebook", recsys::Objective::Choice).objective ==
        recsys::Objective::Choice);

  const TrainConfig c = TrainConfig::from_preset("choice");
  CHECK(c.preset == "choice");
  CHECK(c.objective == recsys::Objective::Choice);
  CHECK(c.dim == d.dim);
  CHECK(c.negative_weight == d.negative_weight);

  CHECK_THROWS_WITH(TrainConfig::from_preset("fast"),
                    "unknown --preset 'fast' (choose default, notebook or choice)");
}

TEST_CASE("train config: each check names the option", "[train_config]") {
  CHECK(error_of(TrainConfig{}).empty());
  CHECK(error_of(TrainConfig::from_preset("notebook")).empty());
  struct Case {
    void (*spoil)(TrainConfig&);
    const char* message;
  };
  const Case cases[] = {
      {[](TrainConfig& c) { c.dim = 0; }, "--dim must be between 1 and 4096"},
      {[](TrainConfig& c) { c.dim = 4097; }, "--dim must be between 1 and 4096"},
      {[](TrainConfig& c) { c.epochs = 0; }, "--epochs must be between 1 and 1000000"},
      {[](TrainConfig& c) { c.batch = 0; }, "--batch must be between 1 and 16777216"},
      {[](TrainConfig& c) { c.lr = 0; }, "--lr must be a positive number"},
      {[](TrainConfig& c) { c.lr = std::nan(""); }, "--lr must be a positive number"},
      {[](TrainConfig& c) { c.weight_decay = -1e-9; }, "--weight-decay must be 0 or more"},
      {[](TrainConfig& c) { c.init_std = INFINITY; }, "--init-std must be 0 or more"},
      {[](TrainConfig& c) { c.threads = -1; }, "--threads must be between 0 (all cores) and 1024"},
      {[](TrainConfig& c) { c.early_stopping = -1; }, "--early-stopping must be 0 (off) or more"},
      {[](TrainConfig& c) { c.min_delta = 1.0; }, "--min-delta must be in [0, 1)"},
      {[](TrainConfig& c) { c.min_delta = -0.01; }, "--min-delta must be in [0, 1)"},
      {[](TrainConfig& c) { c.val_fraction = 1.0; }, "--val-fraction must be in [0, 1)"},
      {[](TrainConfig& c) { c.block_groups = 256; }, "--block-groups must be between 0 and 255"},
  };
  for (const Case& k : cases) {
    TrainConfig c;
    k.spoil(c);
    CHECK(error_of(c) == k.message);
  }
}

TEST_CASE("train config: every setting goes to text and back to the same bits", "[train_config]") {
  TrainConfig a = TrainConfig::from_preset("notebook");
  a.lr = 0.0123456789012345678;
  a.weight_decay = 1.0 / 3.0;
  a.init_std = 5e-324;  // the smallest denormal
  a.seed = 0xFEDCBA9876543210ULL;
  a.threads = 7;
  a.val_fraction = 0.15;
  a.shuffle = recsys::Shuffle::Blocks;
  a.block_groups = 9;
  TrainConfig b;  // every field differs from a
  std::set<std::string> keys;
  for (const auto& s : recsys::train_settings()) {
    keys.insert(std::string(s.key));
    CHECK(recsys::set_setting(b, s.key, recsys::setting_text(a, s.key)));
  }
  CHECK(keys.size() == recsys::train_settings().size());  // no key twice
  for (const auto& s : recsys::train_settings())
    CHECK(recsys::setting_text(a, s.key) == recsys::setting_text(b, s.key));
  CHECK(std::memcmp(&a.lr, &b.lr, sizeof a.lr) == 0);
  CHECK(std::memcmp(&a.weight_decay, &b.weight_decay, sizeof a.lr) == 0);
  CHECK(std::memcmp(&a.init_std, &b.init_std, sizeof a.lr) == 0);
  CHECK(b.seed == a.seed);
  CHECK(b.optimizer == recsys::Adam::Mode::Dense);
  CHECK(b.shuffle == recsys::Shuffle::Blocks);
  CHECK(b.block_groups == 9);

  CHECK_FALSE(recsys::set_setting(b, "objective_of_a_later_version", "x"));
  CHECK_THROWS_WITH(recsys::set_setting(b, "dim", "3.5"), "--dim '3.5' is not a number");
  CHECK_THROWS_WITH(recsys::set_setting(b, "seed", "-1"), "--seed '-1' is not a number");
  CHECK_THROWS_WITH(recsys::set_setting(b, "lr", ""), "--lr '' is not a number");
  CHECK_THROWS_WITH(recsys::set_setting(b, "optimizer", "sgd"),
                    "unknown --optimizer 'sgd' (choose adam or sparse-adam)");
  CHECK_THROWS_WITH(recsys::set_setting(b, "shuffle", "random"),
                    "unknown --shuffle 'random' (choose auto or global or blocks)");
  CHECK(recsys::setting_text(a, "weight_decay", recsys::TextForm::Short) == "0.333333");
}

TEST_CASE("train config: JSON lists every setting in table order, numbers as numbers",
          "[train_config]") {
  recsys::JsonWriter j;
  recsys::write_json(j, TrainConfig::from_preset("notebook"));
  CHECK(j.str() ==
        "{\"preset\":\"notebook\",\"objective\":\"rating\",\"dim\":16,\"epochs\":10,"
        "\"batch\":64,\"lr\":0.01,\"lr_schedule\":\"constant\",\"weight_decay\":0,\"init_std\":1,"
        "\"optimizer\":\"adam\","
        "\"negative_weight\":0.5,\"seed\":42,\"threads\":0,"
        "\"early_stopping\":0,\"min_delta\":0,\"val_fraction\":0.1,\"split\":\"random\","
        "\"shuffle\":\"auto\","
        "\"block_groups\":0}");
}

TEST_CASE("train config: the cosine schedule falls from lr to near 0, constant stays",
          "[train_config]") {
  TrainConfig c = TrainConfig::from_preset("default");
  CHECK(c.lr_schedule == recsys::LrSchedule::Cosine);
  c.lr = 0.04;
  c.epochs = 10;
  CHECK(recsys::lr_at(c, 1) == 0.04);
  CHECK(recsys::lr_at(c, 6) == Approx(0.02).margin(1e-15));  // half way: cos(pi/2) = 0
  // The last epoch: 0.04 (1 + cos(0.9 pi)) / 2 = 0.04 * 0.0244717...
  CHECK(recsys::lr_at(c, 10) == Approx(0.04 * 0.5 * (1 - 0.9510565162951535)).epsilon(1e-12));
  for (int e = 2; e <= 10; ++e) CHECK(recsys::lr_at(c, e) < recsys::lr_at(c, e - 1));
  const TrainConfig r = TrainConfig::from_preset("default", recsys::Objective::Rating);
  CHECK(r.lr_schedule == recsys::LrSchedule::Constant);
  CHECK(recsys::lr_at(r, 1) == r.lr);
  CHECK(recsys::lr_at(r, 30) == r.lr);
  CHECK_THROWS_WITH(recsys::set_setting(c, "lr_schedule", "step"),
                    "unknown --lr-schedule 'step' (choose constant or cosine)");
}
