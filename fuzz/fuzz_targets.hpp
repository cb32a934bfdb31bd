#pragma once
// What one fuzz input exercises, shared by the libFuzzer targets (fuzz/*.cpp,
// built with clang) and by the regression test that replays the committed
// corpus and every crash ever found through the normal and sanitizer builds
// (tests/test_hardening_fuzz_corpus.cpp).
//
// The contract under test: any input either loads or throws recsys::Error.
// Any other exception escapes and aborts the fuzzer, as does any crash,
// sanitizer report, leak or timeout.
#include <sys/mman.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "recsys/data/dataset.hpp"
#include "recsys/data/movies.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/eval/accuracy.hpp"
#include "recsys/eval/recommender.hpp"
#include "recsys/io/byte_io.hpp"
#include "recsys/io/model_file.hpp"
#include "recsys/util/error.hpp"

namespace recsys::fuzz {

// The loaders read paths, so each input goes into one reusable in-memory
// file, opened by its /proc/self/fd path like any other file.
class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("recsys-fuzz.csv", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  const std::string& hold(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) throw std::runtime_error("ftruncate failed");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      if (n <= 0) throw std::runtime_error("pwrite failed");
      done += static_cast<std::size_t>(n);
    }
    return path_;
  }

 private:
  int fd_;
  std::string path_;
};

template <typename F>
void expect_only_recsys_errors(F&& f) {
  // Warnings (duplicates, missing titles) would flood the fuzzer's output.
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  try {
    f();
  } catch (const Error&) {
    // The documented outcome for bad input.
  }
  spdlog::set_level(level);
}

// A ratings CSV: the whole dataset path (load, duplicates, split, scaler,
// statistics, titles from the same bytes), then the loader alone with a
// rating range and other column names.
inline void ratings_one_input(const std::uint8_t* data, std::size_t size) {
  static MemoryFile file;
  const std::string& path = file.hold(data, size);
  expect_only_recsys_errors([&] {
    DatasetOptions o;
    o.ratings_path = path;
    o.movies_path = path;
    const Dataset d = load_dataset(o, {0.25, 42});
    // What training relies on: every index inside its table.
    for (const Ratings* rows : {&d.train, &d.val})
      for (std::size_t k = 0; k < rows->size(); ++k)
        if (rows->user[k] >= d.users.size() || rows->item[k] >= d.items.size())
          throw std::logic_error("row index outside the id maps");
    if (!(d.scaler.min < d.scaler.max)) throw std::logic_error("scaler without a span");
  });
  expect_only_recsys_errors([&] {
    LoadOptions o;
    o.range = RatingRange{0.5, 5};
    o.columns = {"u", "i", "r"};
    IdMap users, items;
    Ratings rows;
    load_ratings(path, o, users, items, rows);
    for (const float r : rows.stars.to_vector())
      if (!(r >= 0.5f && r <= 5.0f)) throw std::logic_error("rating outside the range accepted");
  });
}

// Keeps the fuzzer's mutations past the checksum: the same bytes with the
// header's size field and the trailing CRC-32 made consistent.
inline std::vector<std::uint8_t> resealed(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> b(data, data + size);
  if (b.size() < 28) return b;
  const std::uint64_t payload = b.size() - 28;
  for (int k = 0; k < 8; ++k) b[16 + k] = static_cast<std::uint8_t>(payload >> (8 * k));
  const std::uint32_t crc = crc32(std::span<const std::uint8_t>(b.data(), b.size() - 4));
  for (int k = 0; k < 4; ++k) b[b.size() - 4 + k] = static_cast<std::uint8_t>(crc >> (8 * k));
  return b;
}

// A model file, as given and resealed; whatever parses must be usable: a
// top-N for a few users, the validation figures, and a round trip.
inline void model_file_one_input(const std::uint8_t* data, std::size_t size) {
  for (const auto& bytes : {std::vector<std::uint8_t>(data, data + size), resealed(data, size)}) {
    expect_only_recsys_errors([&] {
      const TrainedModel m = parse_model(bytes, "fuzz.model");
      for (std::uint32_t u = 0; u < m.users.size() && u < 3; ++u) {
        for (const auto& r : recommend(m, u, 5, false))
          if (r.item >= m.items.size())
            throw std::logic_error("recommended an item outside the model");
        (void)recommend(m, u, m.items.size() + 1, true);
      }
      for (std::uint32_t i = 0; i < m.items.size() && i < 3; ++i) (void)m.item_label(i);
      (void)accuracy(m.tables, m.validation, m.scaler);
      const std::vector<std::uint8_t> again = serialize_model(m);
      if (serialize_model(parse_model(again, "again.model")) != again)
        throw std::logic_error("a parsed model does not round-trip");
    });
  }
}

}  // namespace recsys::fuzz
