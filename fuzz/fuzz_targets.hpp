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
#include <zlib.h>

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

inline void layouts_one_input(const std::uint8_t* data, std::size_t size);

// A ratings CSV: the whole dataset path (load, duplicates, split, scaler,
// statistics, titles from the same bytes), then the loader alone with a
// rating range and other column names, then in another layout (below).
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
  layouts_one_input(data, size);
}

// The input as gzip data, cut short when truncate (a truncated download).
inline std::vector<std::uint8_t> gzipped(const std::uint8_t* data, std::size_t size,
                                         bool truncate) {
  std::vector<std::uint8_t> out(compressBound(static_cast<uLong>(size)) + 64);
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int done = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (done != Z_STREAM_END) throw std::runtime_error("deflate failed");
  if (truncate) out.resize(out.size() / 2);
  return out;
}

// The other layouts and sources: the first byte chooses the separator
// (auto, ',', tab, '::', ';'), a header or none, a column order, gzip (whole
// or truncated) and a parallel load; the rest is the file.
inline void layouts_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return;
  static MemoryFile file;
  const std::uint8_t mode = data[0];
  std::vector<std::uint8_t> body(data + 1, data + size);
  if (mode & 32) body = gzipped(body.data(), body.size(), (mode & 128) != 0);
  const std::string& path = file.hold(body.data(), body.size());
  expect_only_recsys_errors([&] {
    LoadOptions o;
    o.layout.separator = static_cast<Separator>(mode % 5);
    o.layout.header = (mode & 8) == 0;
    if (mode & 16) o.layout.positions = {2, 0, 1, -1};
    if (mode & 64) {
      o.threads = 2;
      o.parallel_above_bytes = 1;
    }
    IdMap users, items;
    Ratings rows;
    std::vector<std::int64_t> times;
    if (mode & 16)
      load_ratings(path, o, users, items, rows);
    else
      load_ratings(path, o, users, items, rows, times);
    for (std::size_t k = 0; k < rows.size(); ++k)
      if (rows.user[k] >= users.size() || rows.item[k] >= items.size())
        throw std::logic_error("row index outside the id maps");
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
