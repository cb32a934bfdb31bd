// The model file: round trips that keep every byte and every field, and a
// reader that refuses damaged, truncated, newer and foreign files. The
// parser's own checks first, then the same files through the binary (`recsys
// info`, `topn`): exit code 2 and one line naming the file and saying what to
// do (copy it again, train again, or upgrade).
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "model_bytes.hpp"
#include "recsys/io/byte_io.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::Result;
using hardening::run_recsys;
using recsys::TrainedModel;
using test_support::error_from;
using test_support::TempDir;

namespace {

// Every field set, nothing left at its default.
TrainedModel sample_model() {
  TrainedModel m;
  m.settings.preset = "notebook";
  m.settings.dim = 3;
  m.settings.epochs = 7;
  m.settings.batch = 64;
  m.settings.lr = 0.0123456789012345;
  m.settings.weight_decay = 1e-5;
  m.settings.init_std = 0.1;
  m.settings.optimizer = recsys::Adam::Mode::Sparse;
  m.settings.seed = 0xFEDCBA9876543210ULL;
  m.settings.threads = 3;
  m.settings.early_stopping = 2;
  m.settings.min_delta = 0.0025;
  m.settings.val_fraction = 0.15;
  m.settings.shuffle = recsys::Shuffle::Blocks;
  m.settings.block_groups = 17;
  m.training_mean = 3.5123456789012345;
  m.source = {"/data/ratings, with comma.csv", 123456789, "/data/val.csv", "/data/movies.csv"};
  m.scaler = {0.5, 5.0};
  m.users = recsys::IdMap::from_tokens({"10", "7", "B000123", "u-4", "5"});
  m.items = recsys::IdMap::from_tokens({"300", "100", "200", "42", "0042", "x", "y"});
  m.stats.count = {3, 1, 0, 2, 1, 1, 4};
  m.stats.mean = {3.5, 1.0, 0.0, 4.25, 5.0, 2.5, 1.0 / 3.0};
  m.titles = {"Toy Story (1995)",
              "Shawshank Redemption, The (1994)",
              "",
              "Amélie (2001)",
              "Movie \"Quoted\"",
              "x",
              "y"};
  m.genres = {"Adventure|Animation", "Drama", "", "Comedy|Romance", "", "(no genres listed)", "Z"};
  recsys::Rng rng(3);
  m.tables = recsys::Embeddings::random(5, 7, 3, 0.5, rng);
  recsys::Ratings train;
  train.push(0, 0, 4);
  train.push(0, 3, 5);
  train.push(1, 1, 1);
  train.push(2, 6, 2);
  train.push(3, 6, 1);
  train.push(3, 0, 3);
  train.push(4, 6, 0.5);
  m.train_rated = recsys::RatedItems::build(5, train);
  m.validation.push(0, 4, 5.0f);
  m.validation.push(3, 3, 3.5f);
  m.validation.push(2, 5, 2.5f);
  m.validation.push(1, 6, 0.5f);
  // Timings are not stored (same seed, same bytes): seconds stay 0.
  m.history = {{1, 0.05, 0.06, 1.1, 0.9, 0.0},
               {2, 0.04, std::numeric_limits<double>::quiet_NaN(), 1.0, 0.8, 0.0}};
  m.best_epoch = 2;
  m.index_validation();
  return m;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

void check_equal(const TrainedModel& a, const TrainedModel& b) {
  CHECK(a.settings.preset == b.settings.preset);
  CHECK(a.settings.dim == b.settings.dim);
  CHECK(a.settings.epochs == b.settings.epochs);
  CHECK(a.settings.batch == b.settings.batch);
  CHECK(same_bits(a.settings.lr, b.settings.lr));
  CHECK(same_bits(a.settings.weight_decay, b.settings.weight_decay));
  CHECK(same_bits(a.settings.init_std, b.settings.init_std));
  CHECK(a.settings.optimizer == b.settings.optimizer);
  CHECK(a.settings.seed == b.settings.seed);
  CHECK(a.settings.threads == b.settings.threads);
  CHECK(a.settings.early_stopping == b.settings.early_stopping);
  CHECK(same_bits(a.settings.min_delta, b.settings.min_delta));
  CHECK(same_bits(a.settings.val_fraction, b.settings.val_fraction));
  CHECK(a.settings.shuffle == b.settings.shuffle);
  CHECK(a.settings.block_groups == b.settings.block_groups);
  CHECK(same_bits(a.training_mean, b.training_mean));
  CHECK(a.source.ratings_path == b.source.ratings_path);
  CHECK(a.source.ratings_bytes == b.source.ratings_bytes);
  CHECK(a.source.val_path == b.source.val_path);
  CHECK(a.source.movies_path == b.source.movies_path);
  CHECK(same_bits(a.scaler.min, b.scaler.min));
  CHECK(same_bits(a.scaler.max, b.scaler.max));
  CHECK(a.users.tokens() == b.users.tokens());
  CHECK(a.items.tokens() == b.items.tokens());
  for (std::uint32_t k = 0; k < b.users.size(); ++k) CHECK(b.users.find(b.users.token(k)) == k);
  CHECK(a.stats.count == b.stats.count);
  CHECK(a.stats.mean == b.stats.mean);
  CHECK(a.titles == b.titles);
  CHECK(a.genres == b.genres);
  CHECK(a.tables.dim == b.tables.dim);
  CHECK(a.tables.n_users == b.tables.n_users);
  CHECK(a.tables.n_items == b.tables.n_items);
  CHECK(a.tables.user_vec == b.tables.user_vec);
  CHECK(a.tables.item_vec == b.tables.item_vec);
  CHECK(a.tables.user_bias == b.tables.user_bias);
  CHECK(a.tables.item_bias == b.tables.item_bias);
  CHECK(a.train_rated.offsets == b.train_rated.offsets);
  CHECK(a.train_rated.items == b.train_rated.items);
  CHECK(a.validation.user == b.validation.user);
  CHECK(a.validation.item == b.validation.item);
  CHECK(a.validation.stars == b.validation.stars);
  CHECK(a.validation_rated.offsets == b.validation_rated.offsets);
  CHECK(a.validation_rated.items == b.validation_rated.items);
  REQUIRE(a.history.size() == b.history.size());
  for (std::size_t k = 0; k < a.history.size(); ++k) {
    CHECK(a.history[k].epoch == b.history[k].epoch);
    CHECK(same_bits(a.history[k].train_mse, b.history[k].train_mse));
    CHECK(same_bits(a.history[k].val_mse, b.history[k].val_mse));
    CHECK(same_bits(a.history[k].val_rmse, b.history[k].val_rmse));
    CHECK(same_bits(a.history[k].val_mae, b.history[k].val_mae));
    CHECK(same_bits(a.history[k].seconds, b.history[k].seconds));
  }
  CHECK(a.best_epoch == b.best_epoch);
}

using namespace model_bytes;  // get_u32, put_u64, reseal, sections_of, ...

std::uint32_t tag(const char (&s)[5]) { return get_u32(Bytes(s, s + 4), 0); }

TrainedModel parse(const Bytes& b) { return recsys::parse_model(b, "test.model"); }

struct Trained {
  TempDir dir;
  std::string model;
  Bytes bytes;
};

// A small model trained by the binary, shared by the tests that only read it.
const Trained& trained() {
  static Trained* t = [] {
    auto* p = new Trained;
    std::string csv = "userId,movieId,rating\n";
    for (int u = 1; u <= 12; ++u)
      for (int m = 1; m <= 8; ++m)
        if ((u + m) % 3)
          csv += std::to_string(u) + "," + std::to_string(m) + "," +
                 std::to_string(1 + (u * m) % 5) + "\n";
    const std::string ratings = p->dir.write("ratings.csv", csv);
    p->dir.write("movies.csv", "movieId,title,genres\n1,\"One, The\",Drama\n2,Two,Comedy\n");
    p->model = p->dir.file("good.model");
    const Result r = run_recsys("train " + q(ratings) + " --model " + q(p->model) +
                                " --dim 3 --epochs 2 --batch 8 --threads 1 --quiet");
    if (r.code != 0) FAIL("train failed: " << r.err);
    p->bytes = test_support::read_bytes(p->model);
    return p;
  }();
  return *t;
}

Result info(const std::string& model) { return run_recsys("info --model " + q(model)); }

}  // namespace

TEST_CASE("crc32 is zlib's CRC-32", "[model_file]") {
  const std::string check = "123456789";
  const auto* p = reinterpret_cast<const std::uint8_t*>(check.data());
  CHECK(recsys::crc32(std::span<const std::uint8_t>(p, 9)) ==
        0xCBF43926u);  // the standard check value
  CHECK(recsys::crc32(std::span<const std::uint8_t>(p, 0)) == 0u);
  // Continuing from a previous value equals one pass.
  CHECK(recsys::crc32(std::span<const std::uint8_t>(p + 4, 5),
                      recsys::crc32(std::span<const std::uint8_t>(p, 4))) == 0xCBF43926u);
  // Continuing with nothing keeps the value (an empty span's pointer may be null).
  CHECK(recsys::crc32(std::span<const std::uint8_t>(), 0xCBF43926u) == 0xCBF43926u);
  // Every byte value once, longer than any unrolled step.
  std::vector<std::uint8_t> all(256);
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = static_cast<std::uint8_t>(k);
  CHECK(recsys::crc32(all) == 0x29058C73u);
}

TEST_CASE("the header follows the documented layout", "[model_file]") {
  const Bytes b = recsys::serialize_model(sample_model());
  REQUIRE(b.size() > 28);
  CHECK(std::string(b.begin(), b.begin() + 8) == "RECSYSMF");
  CHECK(get_u32(b, 8) == recsys::kModelFormatVersion);
  CHECK(get_u32(b, 12) == 0x01020304u);
  CHECK(get_u64(b, 16) == b.size() - 24 - 4);
  CHECK(get_u32(b, b.size() - 4) ==
        recsys::crc32(std::span<const std::uint8_t>(b.data(), b.size() - 4)));
  const auto secs = sections_of(b);
  REQUIRE(!secs.empty());
  CHECK(secs.back().end == b.size() - 4);  // the sections tile the payload exactly
  std::set<std::uint32_t> tags;
  for (const auto& s : secs) tags.insert(s.tag);
  CHECK(tags.size() == secs.size());
  for (const auto& t :
       {tag("SCAL"), tag("USER"), tag("ITEM"), tag("TABL"), tag("RATD"), tag("VALI")})
    CHECK(tags.count(t) == 1u);
}

TEST_CASE("serialize -> parse -> serialize gives the same bytes and fields", "[model_file]") {
  const TrainedModel original = sample_model();
  const Bytes first = recsys::serialize_model(original);
  const TrainedModel parsed = parse(first);
  check_equal(original, parsed);
  const Bytes second = recsys::serialize_model(parsed);
  CHECK(first == second);
  // The derived validation index answers has_rated.
  CHECK(parsed.has_rated(0, 4));  // validation row
  CHECK(parsed.has_rated(0, 3));  // training row
  CHECK(!parsed.has_rated(0, 1));
}

TEST_CASE("the model is serialized into a buffer of exactly its size", "[model_file]") {
  // The counting pass must agree with the writing pass byte for byte: a
  // shortfall would regrow (doubling the buffer of a 150 MB model), an excess
  // would waste memory.
  const Bytes b = recsys::serialize_model(sample_model());
  CHECK(b.capacity() == b.size());
  Bytes streamed;
  std::size_t pieces = 0;
  recsys::ByteWriter counter = recsys::ByteWriter::counting(), writer,
                     stream = recsys::ByteWriter::streaming([&](std::span<const std::uint8_t> p) {
                       streamed.insert(streamed.end(), p.begin(), p.end());
                       ++pieces;
                     });
  const std::vector<float> large(300000, 1.5f);  // over the streaming chunk: passed on uncopied
  for (auto* w : {&counter, &writer, &stream}) {
    w->u8(1);
    w->u32(2);
    w->u64(3);
    w->f32(4.0f);
    w->f64(5.0);
    w->str("six");
    w->array(std::span<const float>(std::vector<float>{7, 8, 9}));
    w->array(std::span<const float>(large));
    w->u8(10);
  }
  const std::size_t expected = 1 + 4 + 8 + 4 + 8 + (8 + 3) + (8 + 12) + (8 + 1200000) + 1;
  CHECK(counter.size() == expected);
  CHECK(writer.size() == expected);
  CHECK(stream.size() == expected);
  CHECK(counter.bytes().empty());
  stream.flush();
  CHECK(streamed == writer.bytes());
  CHECK(pieces == 3u);  // the small fields, the large array, the last byte
  CHECK(stream.crc() == recsys::crc32(writer.bytes()));
}

TEST_CASE("a saved model file holds exactly the serialized bytes", "[model_file]") {
  const TrainedModel m = sample_model();
  const TempDir dir;
  const std::string path = dir.file("m.bin");
  CHECK(recsys::save_model(m, path) == recsys::serialize_model(m).size());
  std::ifstream in(path, std::ios::binary);
  const Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(file == recsys::serialize_model(m));
}

TEST_CASE("a model without validation rows or history round-trips", "[model_file]") {
  TrainedModel m = sample_model();
  m.validation = {};
  m.history.clear();
  m.index_validation();
  const Bytes b = recsys::serialize_model(m);
  const TrainedModel parsed = parse(b);
  check_equal(m, parsed);
  CHECK(recsys::serialize_model(parsed) == b);
}

TEST_CASE("save_model / load_model through a file leave no temporary behind", "[model_file]") {
  TempDir dir;
  const TrainedModel m = sample_model();
  const std::string path = dir.file("a.model");
  recsys::save_model(m, path);
  CHECK(dir.entries() == std::vector<std::string>{"a.model"});
  CHECK(test_support::read_bytes(path) == recsys::serialize_model(m));
  check_equal(m, recsys::load_model(path));

  // Saving over an existing file replaces it whole.
  TrainedModel other = sample_model();
  other.settings.seed = 1;
  other.tables.user_vec[0] += 1.0f;
  recsys::save_model(other, path);
  CHECK(dir.entries() == std::vector<std::string>{"a.model"});
  check_equal(other, recsys::load_model(path));

  // An unwritable destination throws, naming the path, and leaves nothing.
  const std::string bad = dir.file("no-such-dir/b.model");
  const auto e = error_from([&] { recsys::save_model(m, bad); });
  REQUIRE(e);
  CHECK(e->file() == bad);
  CHECK(dir.entries() == std::vector<std::string>{"a.model"});
}

TEST_CASE("a flipped byte anywhere is refused, naming the file",
          "[model_file][corrupt][hardening]") {
  const Bytes& good = trained().bytes;
  for (std::size_t pos = 0; pos < good.size(); ++pos) {
    for (const std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
      Bytes bad = good;
      bad[pos] ^= mask;
      const auto e = error_from([&] { recsys::parse_model(bad, "x.model"); });
      INFO("byte " << pos << " of " << good.size() << " xor " << int(mask));
      REQUIRE(e);
      CHECK(e->exit_code() == 2);
      CHECK(e->file() == "x.model");
    }
  }
}

TEST_CASE("a damaged section length or table size behind a valid checksum is rejected",
          "[model_file][corrupt]") {
  // A damaged length or count with the CRC recomputed: the structure checks must catch it.
  const Bytes good = recsys::serialize_model(sample_model());
  for (const auto& s : sections_of(good)) {
    for (const std::uint64_t length : {std::uint64_t{0}, std::uint64_t(s.end - s.body - 1),
                                       std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
      Bytes bad = good;
      put_u64(bad, s.start + 4, length);
      reseal(bad);
      INFO("section at " << s.start << " with length " << length);
      CHECK_THROWS_AS(parse(bad), recsys::Error);
    }
  }
  // The TABL section's n_users no longer matching the id map.
  for (const auto& s : sections_of(good)) {
    if (s.tag != tag("TABL")) continue;
    Bytes bad = good;
    put_u32(bad, s.body + 4, get_u32(good, s.body + 4) + 1);
    reseal(bad);
    CHECK_THROWS_AS(parse(bad), recsys::Error);
  }
}

TEST_CASE("an unknown section is skipped, a repeated one rejected", "[model_file]") {
  const TrainedModel m = sample_model();
  const Bytes good = recsys::serialize_model(m);
  auto with_section = [&](std::uint32_t t, const Bytes& body) {
    Bytes b(good.begin(), good.end() - 4);
    Bytes head(12);
    put_u32(head, 0, t);
    put_u64(head, 4, body.size());
    b.insert(b.end(), head.begin(), head.end());
    b.insert(b.end(), body.begin(), body.end());
    b.resize(b.size() + 4);
    put_u64(b, 16, b.size() - 28);
    reseal(b);
    return b;
  };
  // A later minor version's extra section: read as if it were not there.
  check_equal(m, parse(with_section(tag("ZZZZ"), {1, 2, 3, 4, 5})));
  // The scaler section a second time.
  for (const auto& s : sections_of(good)) {
    if (s.tag != tag("SCAL")) continue;
    const Bytes body(good.begin() + static_cast<std::ptrdiff_t>(s.body),
                     good.begin() + static_cast<std::ptrdiff_t>(s.end));
    CHECK_THROWS_AS(parse(with_section(s.tag, body)), recsys::Error);
  }
}

// ---------------------------------------------------------------------------
// Through the binary: exit code 2 and one line that names the file and says
// what to do.

TEST_CASE("a model cut at any section boundary, or with bytes added, exits 2 saying so",
          "[model_file][corrupt][hardening]") {
  const Bytes& good = trained().bytes;
  std::set<std::size_t> cuts = {0,
                                1,
                                4,
                                7,
                                8,
                                9,
                                12,
                                15,
                                16,
                                20,
                                23,
                                24,
                                25,
                                27,
                                28,
                                good.size() - 5,
                                good.size() - 4,
                                good.size() - 1};
  for (const auto& s : sections_of(good))
    for (const std::size_t at : {s.start, s.start + 2, s.start + 4, s.start + 8, s.body, s.body + 1,
                                 (s.body + s.end) / 2, s.end - 1})
      if (at < good.size()) cuts.insert(at);
  REQUIRE(cuts.size() > 40);
  TempDir dir;
  for (const std::size_t n : cuts) {
    INFO("first " << n << " of " << good.size() << " bytes");
    const std::string path = dir.file("cut.model");
    test_support::write_bytes(path,
                              Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n)));
    const Result r = info(path);
    if (n == 0) {
      check_failure(r, 2, path + ": ", {"empty file", "recsys train"});
    } else if (n < 8) {
      check_failure(r, 2, path + ": ", {"not a recsys model file", "recsys train"});
    } else if (n < 28) {
      check_failure(r, 2, path + ": ",
                    {"model file is truncated (" + std::to_string(n) + " bytes)", "recsys train"});
    } else {
      check_failure(r, 2, path + ": ",
                    {"model file is truncated (its header says " + std::to_string(good.size()) +
                         " bytes, the file has " + std::to_string(n) + ")",
                     "copy it again or train it again"});
    }
    // topn reads the same way.
    CHECK(run_recsys("topn --user 1 --model " + q(path)).code == 2);
  }
  // Bytes after the checksum are refused too.
  Bytes longer = good;
  longer.push_back(0);
  const std::string path = dir.file("longer.model");
  test_support::write_bytes(path, longer);
  check_failure(info(path), 2, path + ": ",
                {"model file is longer than written", "copy it again or train it again"});
}

TEST_CASE("a flipped byte through the binary gives one line that says what to do",
          "[model_file][hardening]") {
  const Bytes& good = trained().bytes;
  TempDir dir;
  std::set<std::size_t> positions = {0, 7, 8, 11, 12, 15, 16, 23, good.size() - 4, good.size() - 1};
  for (std::size_t k = 24; k < good.size(); k += good.size() / 23) positions.insert(k);
  for (const std::size_t pos : positions) {
    Bytes bad = good;
    bad[pos] ^= 0x20;
    const std::string path = dir.file("flipped.model");
    test_support::write_bytes(path, bad);
    INFO("byte " << pos);
    const Result r = info(path);
    std::string says = "checksum mismatch";
    if (pos < 8)
      says = "not a recsys model file";
    else if (pos < 12)
      says = "format version";
    else if (pos < 16)
      says = "byte-order marker";
    else if (pos < 24)
      says = "the file has " + std::to_string(good.size());
    check_failure(r, 2, path + ": ", {says, "train"});
  }
}

// A file written by recsys before the settings table (format version 1,
// `recsys train data/ratings.csv --dim 4 --epochs 2 --threads 1 --shuffle
// global`): it must keep loading, with what it recorded, and recommend as it did.
TEST_CASE("a format version 1 file still loads and recommends as it did", "[model_file][compat]") {
  const std::string dir = RECSYS_SOURCE_DIR "/tests/data/";
  const TrainedModel m = recsys::load_model(dir + "model-format-v1.recsys");
  CHECK(m.format_version == 1u);
  CHECK(m.settings.preset == "default");
  CHECK(m.settings.dim == 4);
  CHECK(m.settings.epochs == 2);
  CHECK(m.settings.threads == 1);
  CHECK(m.settings.optimizer == recsys::Adam::Mode::Sparse);
  CHECK(m.settings.val_fraction == 0.1);
  CHECK(m.settings.shuffle == recsys::Shuffle::Auto);  // not recorded: the default
  CHECK(std::isnan(m.training_mean));                  // not recorded: derived when needed
  CHECK(m.users.size() == 300u);
  CHECK(m.items.size() == 400u);
  CHECK(m.history.size() == 2u);

  const auto topn = test_support::run_cli("topn --model '" + dir +
                                          "model-format-v1.recsys' --user 1 --format csv");
  CHECK(topn.code == 0);
  CHECK(topn.out == test_support::read_text(dir + "model-format-v1.topn-user-1.csv"));
  const auto info = test_support::run_cli("info --model '" + dir + "model-format-v1.recsys'");
  CHECK(info.code == 0);
  CHECK_THAT(info.out, Contains("(format version 1)"));
  CHECK_THAT(info.out, Contains("shuffle and block groups not recorded"));

  // Saved again, it is a current file with the same weights.
  const TrainedModel again = parse(recsys::serialize_model(m));
  CHECK(again.format_version == recsys::kModelFormatVersion);
  CHECK(again.tables.item_vec == m.tables.item_vec);
}

TEST_CASE("a model from a newer format version names both versions", "[model_file][hardening]") {
  Bytes b = trained().bytes;
  put_u32(b, 8, recsys::kModelFormatVersion + 1);
  reseal(b);
  TempDir dir;
  const std::string path = dir.file("future.model");
  test_support::write_bytes(path, b);
  check_failure(
      info(path), 2, path + ": ",
      {"format version " + std::to_string(recsys::kModelFormatVersion + 1) + " is newer",
       "up to " + std::to_string(recsys::kModelFormatVersion), "upgrade recsys or retrain"});
  // Even when the rest of it is nothing this version understands.
  Bytes tiny(28, 0);
  std::copy_n("RECSYSMF", 8, tiny.begin());
  put_u32(tiny, 8, 99);
  test_support::write_bytes(path, tiny);
  check_failure(info(path), 2, path + ": ", {"format version 99 is newer"});
}

TEST_CASE("files that are not models are refused, each saying what it is",
          "[model_file][hardening]") {
  TempDir dir;
  const struct {
    const char* what;
    std::string contents;
    std::string says;
  } cases[] = {
      {"an empty file", "", "empty file, not a recsys model (run `recsys train` first)"},
      {"a ratings CSV", "userId,movieId,rating\n1,2,3\n", "not a recsys model file"},
      {"a PNG", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "not a recsys model file"},
      {"seven bytes of the magic", "RECSYSM", "not a recsys model file"},
      {"the magic alone", "RECSYSMF", "truncated (8 bytes)"},
      {"the magic and zeros", std::string("RECSYSMF") + std::string(40, '\0'), "format version 0"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const std::string path = dir.write("not.model", c.contents);
    check_failure(info(path), 2, path + ": ", {c.says});
  }
  check_failure(info(dir.path().string()), 2, dir.path().string() + ": ", {"is a directory"});
  check_failure(info(dir.file("missing.model")), 2, dir.file("missing.model") + ": ",
                {"no such model file", "recsys train"});
}

TEST_CASE("a size field claiming exabytes is refused before allocating",
          "[model_file][hardening]") {
  Bytes b = trained().bytes;
  put_u64(b, 16, std::uint64_t{1} << 62);
  TempDir dir;
  const std::string path = dir.file("huge.model");
  test_support::write_bytes(path, b);
  check_failure(info(path), 2, path + ": ",
                {"truncated", "the file has " + std::to_string(b.size())});
  put_u64(b, 16, ~std::uint64_t{0});
  test_support::write_bytes(path, b);
  check_failure(info(path), 2, path + ": ", {"an impossible size"});
}

TEST_CASE("a non-finite weight or a zero dim behind a valid checksum says what is wrong",
          "[model_file][hardening]") {
  const Bytes& good = trained().bytes;
  TempDir dir;
  const std::string path = dir.file("resealed.model");
  for (const auto& s : sections_of(good)) {
    if (s.tag != get_u32(Bytes{'T', 'A', 'B', 'L'}, 0)) continue;
    // The first user weight, after dim, n_users, n_items and the array's count.
    const std::size_t first_weight = s.body + 12 + 8;
    for (const float poison :
         {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      Bytes bad = good;
      put_u32(bad, first_weight, std::bit_cast<std::uint32_t>(poison));
      reseal(bad);
      test_support::write_bytes(path, bad);
      check_failure(info(path), 2, path + ": ",
                    {"a weight is not a finite number", "recsys train"});
    }
    Bytes bad = good;
    put_u32(bad, s.body, 0);  // dim 0
    reseal(bad);
    test_support::write_bytes(path, bad);
    check_failure(info(path), 2, path + ": ", {"model file is corrupt", "recsys train"});
  }
}

TEST_CASE("a model read from a pipe loads, and a cut one is refused", "[model_file][hardening]") {
  const Trained& t = trained();
  const Result ok = hardening::shell("RECSYS info --model /dev/stdin < " + q(t.model));
  CHECK(ok.code == 0);
  CHECK_THAT(ok.out, Contains("users / movies"));
  const Result cut =
      hardening::shell("head -c 100 " + q(t.model) + " | RECSYS info --model /dev/stdin");
  check_failure(cut, 2, "/dev/stdin: ", {"truncated"});
}

TEST_CASE("the lr schedule is stored only when it is not the constant older files imply",
          "[model_file][compat]") {
  auto has_key = [](const Bytes& b) {
    const std::string text(b.begin(), b.end());
    return text.find("lr_schedule") != std::string::npos;
  };
  TrainedModel m = sample_model();
  REQUIRE(m.settings.lr_schedule == recsys::LrSchedule::Constant);
  const Bytes constant = recsys::serialize_model(m);
  CHECK_FALSE(has_key(constant));  // the bytes of a file written before the setting existed
  CHECK(parse(constant).settings.lr_schedule == recsys::LrSchedule::Constant);
  m.settings.lr_schedule = recsys::LrSchedule::Cosine;
  const Bytes cosine = recsys::serialize_model(m);
  CHECK(has_key(cosine));
  CHECK(parse(cosine).settings.lr_schedule == recsys::LrSchedule::Cosine);
}
