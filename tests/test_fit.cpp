// fit(): training as one library call. On planted data it must learn, hand
// back a complete model (the same bytes for the same seed on one thread),
// call its hooks at the right moments, and stop when asked.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>

#include "planted.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/synth/synth.hpp"
#include "recsys/train/fit.hpp"
#include "support.hpp"

namespace {

using namespace recsys;

struct Planted {
  test_support::PlantedFile file{300, 200, 20000, 6, 0.3, 8};
  DatasetOptions files = file.files();
};

TrainConfig quick(int epochs) {
  TrainConfig c = TrainConfig::from_preset("default", Objective::Rating);
  c.dim = 8;
  c.epochs = epochs;
  c.lr = 0.01;
  c.threads = 1;
  c.early_stopping = 0;
  return c;
}

}  // namespace

TEST_CASE("fit trains in-process and returns a complete model", "[fit]") {
  const Planted p;
  const FitResult f = fit(p.files, quick(6));
  const TrainedModel& m = f.model;
  CHECK(f.report.history.size() == 6u);
  CHECK(m.history.size() == 6u);
  CHECK(m.history.back().seconds == 0);  // no timings in the model: same seed, same bytes
  CHECK(m.best_epoch == 6);
  // It learned: well below predicting the training mean.
  CHECK(f.validation.rmse < 0.8 * f.baseline.rmse);
  CHECK(f.validation.rmse == Approx(m.history.back().val_rmse).epsilon(1e-12));

  // The split is the config's; every training row is in the rated lists.
  const Dataset d = load_dataset(p.files, {0.1, 42});
  CHECK(m.validation.size() == d.val.size());
  CHECK(f.train_rows == d.train.size());
  CHECK(m.train_rated.items.size() == d.train.size());
  double sum = 0;
  for (const float r : d.train.stars.to_vector()) sum += r;
  CHECK(m.training_mean == sum / double(d.train.size()));
  CHECK(m.source.ratings_bytes == std::filesystem::file_size(p.files.ratings_path));
  CHECK(m.settings.threads == 1);

  // Complete: it survives the model file.
  const TrainedModel back = parse_model(serialize_model(m), "fit.model");
  CHECK(back.tables.user_vec == m.tables.user_vec);
  CHECK(back.train_rated.items == m.train_rated.items);
}

TEST_CASE("fit: the same seed on one thread gives the same bytes, another seed does not", "[fit]") {
  const Planted p;
  const auto a = serialize_model(fit(p.files, quick(2)).model);
  const auto b = serialize_model(fit(p.files, quick(2)).model);
  CHECK(a == b);
  TrainConfig other = quick(2);
  other.seed = 43;
  CHECK(serialize_model(fit(p.files, other).model) != a);
}

TEST_CASE("fit: threads 0 is stored as the count used, a bad setting is refused first", "[fit]") {
  const Planted p;
  TrainConfig c = quick(1);
  c.threads = 0;
  CHECK(fit(p.files, c).model.settings.threads >= 1);
  c.dim = 0;
  CHECK_THROWS_WITH(fit(p.files, c), "--dim must be between 1 and 4096");
}

TEST_CASE("fit: hooks see the start, each epoch and complete checkpoints", "[fit]") {
  const Planted p;
  FitHooks hooks;
  int starts = 0;
  std::vector<int> epochs, checkpoints;
  hooks.on_start = [&](const FitStart& s) {
    ++starts;
    CHECK(s.config.threads == 1);
    CHECK(s.data.ratings_file_rows == 20000u);
    CHECK(s.data.train.size() + s.data.val.size() == 20000u);
    CHECK(s.shuffle == Shuffle::Global);  // a model this small fits in the cache
  };
  hooks.on_epoch = [&](const EpochRecord& r) { epochs.push_back(r.epoch); };
  hooks.checkpoint_every = 2;
  hooks.on_checkpoint = [&](const TrainedModel& m) {
    checkpoints.push_back(m.best_epoch);
    CHECK(m.history.size() == std::size_t(m.best_epoch));
    CHECK(m.train_rated.items.size() > 0u);
    CHECK_NOTHROW(parse_model(serialize_model(m), "checkpoint.model"));
  };
  fit(p.files, quick(5), hooks);
  CHECK(starts == 1);
  CHECK(epochs == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(checkpoints == std::vector<int>{2, 4});  // not at the last epoch: the end saves it
}

TEST_CASE("fit: a stop request ends training after the batch", "[fit]") {
  const Planted p;
  std::atomic<bool> stop{false};
  FitHooks hooks;
  hooks.stop = &stop;
  SECTION("before the first epoch: no history") {
    stop = true;
    const FitResult f = fit(p.files, quick(5), hooks);
    CHECK(f.report.interrupted);
    CHECK(f.report.history.empty());
  }
  SECTION("during the second epoch's hook: two epochs, a complete model") {
    hooks.on_epoch = [&](const EpochRecord& r) {
      if (r.epoch == 2) stop = true;
    };
    const FitResult f = fit(p.files, quick(5), hooks);
    CHECK(f.report.interrupted);
    CHECK(f.model.history.size() == 2u);
    CHECK(f.model.train_rated.items.size() == f.train_rows);
  }
}

TEST_CASE("fit: its validation figures are those of the weights it returns", "[fit]") {
  const Planted p;
  const auto measured = [](const FitResult& f) {
    return accuracy(f.model.tables, f.model.validation, f.model.scaler);
  };
  SECTION("early stopping keeps an earlier epoch") {
    TrainConfig c = quick(40);
    c.lr = 0.05;  // overfits within a few epochs
    c.early_stopping = 2;
    const FitResult f = fit(p.files, c);
    REQUIRE(f.report.stopped_early);
    REQUIRE(f.model.best_epoch < int(f.report.history.size()));
    const Accuracy fresh = measured(f);
    CHECK(f.validation.mse == fresh.mse);
    CHECK(f.validation.rmse == fresh.rmse);
    CHECK(f.validation.mae == fresh.mae);
    CHECK(f.validation.rmse == f.report.history[std::size_t(f.model.best_epoch) - 1].val_rmse);
  }
  SECTION("a stop in the middle of an epoch: the weights as they stand") {
    std::atomic<bool> stop{false};
    FitHooks hooks;
    hooks.stop = &stop;
    int epochs_seen = 0;
    hooks.on_epoch = [&](const EpochRecord&) { ++epochs_seen; };
    hooks.on_batch = [&](std::size_t, std::size_t) {
      if (epochs_seen == 1) stop = true;
    };
    TrainConfig c = quick(5);
    c.batch = 16;  // several chunks an epoch, so the stop comes within one
    const FitResult f = fit(p.files, c, hooks);
    REQUIRE(f.report.interrupted);
    REQUIRE(f.report.history.size() == 1u);
    CHECK(f.validation.rmse == measured(f).rmse);
    CHECK(f.validation.rmse != f.report.history[0].val_rmse);
  }
}

TEST_CASE("fit: with a validation file the holdout fraction is stored as 0", "[fit]") {
  const test_support::TempDir dir;
  DatasetOptions files;
  files.ratings_path = dir.write("train.csv", "userId,movieId,rating\n1,1,4\n1,2,3\n2,1,5\n");
  files.val_path = dir.write("val.csv", "userId,movieId,rating\n2,2,1\n");
  const FitResult f = fit(files, quick(1));
  CHECK(f.model.settings.val_fraction == 0);
  CHECK(f.model.source.val_path == files.val_path);
  CHECK(f.train_rows == 3u);
  CHECK(f.model.validation.size() == 1u);
}
