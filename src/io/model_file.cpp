#include "recsys/io/model_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string_view>

#include "recsys/io/atomic_file.hpp"
#include "recsys/io/byte_io.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

constexpr char kMagic[8] = {'R', 'E', 'C', 'S', 'Y', 'S', 'M', 'F'};
constexpr std::uint32_t kByteOrderMark = 0x01020304;
constexpr std::size_t kHeaderBytes = 8 + 4 + 4 + 8;
constexpr std::size_t kTrailerBytes = 4;

constexpr std::uint32_t tag(const char (&s)[5]) {
  return std::uint32_t(std::uint8_t(s[0])) | std::uint32_t(std::uint8_t(s[1])) << 8 |
         std::uint32_t(std::uint8_t(s[2])) << 16 | std::uint32_t(std::uint8_t(s[3])) << 24;
}
constexpr std::uint32_t kSettings = tag("SETT"), kSource = tag("SRCE"), kScaler = tag("SCAL"),
                        kUsers = tag("USER"), kItems = tag("ITEM"), kStats = tag("STAT"),
                        kTitles = tag("TITL"), kTables = tag("TABL"), kRated = tag("RATD"),
                        kValidation = tag("VALI"), kHistory = tag("HIST");

void put_strings(ByteWriter& w, const std::vector<std::string>& strings) {
  w.u64(strings.size());
  for (const auto& s : strings) w.str(s);
}

std::vector<std::string> get_strings(ByteReader& r) {
  const std::uint64_t n = r.u64();
  r.require(n, 8);  // every string has at least its 8-byte length
  std::vector<std::string> out;
  out.reserve(n);
  for (std::uint64_t k = 0; k < n; ++k) out.push_back(r.str());
  return out;
}

template <typename T>
std::span<const T> view(const std::vector<T>& v) {
  return {v.data(), v.size()};
}

// Settings as key/value text pairs (train_config.hpp's table), then the
// best epoch and the training mean: new keys can be added without a new
// version.
std::vector<std::pair<std::string, std::string>> settings_pairs(const TrainedModel& m) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const SettingInfo& s : train_settings()) {
    std::string text = setting_text(m.settings, s.key);
    if (text != s.implied_when_absent) pairs.emplace_back(s.key, std::move(text));
  }
  pairs.emplace_back("best_epoch", std::to_string(m.best_epoch));
  char mean[64];
  std::snprintf(mean, sizeof mean, "%.17g", m.training_mean);
  pairs.emplace_back("training_mean", mean);
  return pairs;
}

constexpr const char* kRetrain = "; train it again with `recsys train`";

[[noreturn]] void corrupt(const std::string& name, const std::string& what) {
  throw Error(name, 0, "model file is corrupt: " + what + kRetrain);
}

// The settings every file of format version 2 holds. A setting added to the
// table later is a minor addition (no new version), so a file written before
// it existed lacks it, and it keeps its default.
constexpr std::array<std::string_view, 14> kVersion2Settings = {
    "preset",         "dim",          "epochs",    "batch",       "lr",
    "weight_decay",   "init_std",     "optimizer", "seed",        "threads",
    "early_stopping", "val_fraction", "shuffle",   "block_groups"};

// Reads the settings section. Unknown keys come from a later minor version
// and are ignored on purpose; from version 2 on every setting of version 2
// must be there.
void read_settings(TrainedModel& m, ByteReader& r, std::uint32_t version, const std::string& name) {
  const std::uint64_t n = r.u64();
  r.require(n, 16);
  std::array<bool, kVersion2Settings.size()> seen{};
  for (std::uint64_t k = 0; k < n; ++k) {
    const std::string key = r.str();
    const std::string value = r.str();
    try {
      if (key == "best_epoch")
        m.best_epoch = std::stoi(value);
      else if (key == "training_mean")
        m.training_mean = std::stod(value);
      else if (set_setting(m.settings, key, value)) {
        const auto it = std::find(kVersion2Settings.begin(), kVersion2Settings.end(), key);
        if (it != kVersion2Settings.end())
          seen[static_cast<std::size_t>(it - kVersion2Settings.begin())] = true;
      }
    } catch (const std::exception&) {
      corrupt(name, "setting " + key + " = '" + value.substr(0, 40) + "'");
    }
  }
  if (version >= 2 && std::find(seen.begin(), seen.end(), false) != seen.end())
    corrupt(name, "a setting is missing");
}

void write_sections(ByteWriter& out, const TrainedModel& m) {
  // A section's length comes before it: a counting pass over its body finds
  // it, so the bytes can stream to the file with nothing patched afterwards.
  auto section = [&out](std::uint32_t t, auto&& body) {
    ByteWriter counter = ByteWriter::counting();
    body(counter);
    out.u32(t);
    out.u64(counter.size());
    body(out);
  };
  section(kSettings, [&](ByteWriter& w) {
    const auto pairs = settings_pairs(m);
    w.u64(pairs.size());
    for (const auto& [k, v] : pairs) {
      w.str(k);
      w.str(v);
    }
  });
  section(kSource, [&](ByteWriter& w) {
    w.str(m.source.ratings_path);
    w.u64(m.source.ratings_bytes);
    w.str(m.source.val_path);
    w.str(m.source.movies_path);
  });
  section(kScaler, [&](ByteWriter& w) {
    w.f64(m.scaler.min);
    w.f64(m.scaler.max);
  });
  section(kUsers, [&](ByteWriter& w) { put_strings(w, m.users.tokens()); });
  section(kItems, [&](ByteWriter& w) { put_strings(w, m.items.tokens()); });
  section(kStats, [&](ByteWriter& w) {
    w.array(view(m.stats.count));
    w.array(view(m.stats.mean));
  });
  section(kTitles, [&](ByteWriter& w) {
    put_strings(w, m.titles);
    put_strings(w, m.genres);
  });
  section(kTables, [&](ByteWriter& w) {
    const Embeddings& e = m.tables;
    w.u32(static_cast<std::uint32_t>(e.dim));
    w.u32(e.n_users);
    w.u32(e.n_items);
    w.array(view(e.user_vec));
    w.array(view(e.item_vec));
    w.array(view(e.user_bias));
    w.array(view(e.item_bias));
  });
  section(kRated, [&](ByteWriter& w) {
    w.array(view(m.train_rated.offsets));
    w.array(view(m.train_rated.items));
  });
  section(kValidation, [&](ByteWriter& w) {
    w.array(view(m.validation.user));
    w.array(view(m.validation.item));
    w.array(view(m.validation.stars.to_vector()));
  });
  section(kHistory, [&](ByteWriter& w) {
    w.u64(m.history.size());
    for (const auto& h : m.history) {
      w.u32(static_cast<std::uint32_t>(h.epoch));
      // No timings: the same seed must give the same bytes.
      for (double x : {h.train_mse, h.val_mse, h.val_rmse, h.val_mae}) w.f64(x);
    }
  });
}

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

void read_section(TrainedModel& m, std::uint32_t t, ByteReader& r, const std::string& name) {
  if (t == kSettings) {
    read_settings(m, r, m.format_version, name);
  } else if (t == kSource) {
    m.source.ratings_path = r.str();
    m.source.ratings_bytes = r.u64();
    m.source.val_path = r.str();
    m.source.movies_path = r.str();
  } else if (t == kScaler) {
    m.scaler.min = r.f64();
    m.scaler.max = r.f64();
    if (!(m.scaler.min < m.scaler.max) || !std::isfinite(m.scaler.max - m.scaler.min))
      corrupt(name, "rating scale is not two finite numbers with min < max");
  } else if (t == kUsers) {
    try {
      m.users = IdMap::from_tokens(get_strings(r));
    } catch (const Error& e) {
      corrupt(name, "user ids: " + e.message());
    }
  } else if (t == kItems) {
    try {
      m.items = IdMap::from_tokens(get_strings(r));
    } catch (const Error& e) {
      corrupt(name, "movie ids: " + e.message());
    }
  } else if (t == kStats) {
    m.stats.count = r.array<std::uint32_t>();
    m.stats.mean = r.array<double>();
  } else if (t == kTitles) {
    m.titles = get_strings(r);
    m.genres = get_strings(r);
  } else if (t == kTables) {
    Embeddings& e = m.tables;
    e.dim = static_cast<int>(r.u32());
    e.n_users = r.u32();
    e.n_items = r.u32();
    e.user_vec = r.array<float>();
    e.item_vec = r.array<float>();
    e.user_bias = r.array<float>();
    e.item_bias = r.array<float>();
  } else if (t == kRated) {
    m.train_rated.offsets = r.array<std::uint64_t>();
    m.train_rated.items = r.array<std::uint32_t>();
  } else if (t == kValidation) {
    m.validation.user = r.array<std::uint32_t>();
    m.validation.item = r.array<std::uint32_t>();
    m.validation.stars = StarColumn(r.array<float>());
  } else if (t == kHistory) {
    const std::uint64_t n = r.u64();
    r.require(n, 4 + 4 * 8);
    for (std::uint64_t k = 0; k < n; ++k) {
      EpochRecord h;
      h.epoch = static_cast<int>(r.u32());
      for (double* x : {&h.train_mse, &h.val_mse, &h.val_rmse, &h.val_mae}) *x = r.f64();
      m.history.push_back(h);
    }
  }
}

// Cross-checks between sections, so no later index can fall outside a table.
void check_consistency(const TrainedModel& m, const std::string& name) {
  const Embeddings& e = m.tables;
  const std::size_t nu = m.users.size(), ni = m.items.size();
  if (e.dim <= 0 || e.n_users != nu || e.n_items != ni)
    corrupt(name, "table shapes do not match the id maps");
  const auto d = static_cast<std::size_t>(e.dim);
  if (e.user_vec.size() != nu * d || e.item_vec.size() != ni * d || e.user_bias.size() != nu ||
      e.item_bias.size() != ni)
    corrupt(name, "table sizes do not match their shapes");
  // A NaN score would make every ranking meaningless.
  if (!all_finite(e.user_vec) || !all_finite(e.item_vec) || !all_finite(e.user_bias) ||
      !all_finite(e.item_bias))
    corrupt(name, "a weight is not a finite number");
  if (m.stats.count.size() != ni || m.stats.mean.size() != ni)
    corrupt(name, "item statistics size");
  if (m.titles.size() != ni || m.genres.size() != ni) corrupt(name, "titles size");
  const auto& off = m.train_rated.offsets;
  if (off.size() != nu + 1 || off.front() != 0 || off.back() != m.train_rated.items.size())
    corrupt(name, "rated-items offsets");
  for (std::size_t u = 0; u < nu; ++u)
    if (off[u] > off[u + 1]) corrupt(name, "rated-items offsets are not increasing");
  for (const auto i : m.train_rated.items)
    if (i >= ni) corrupt(name, "rated item index out of range");
  const Ratings& v = m.validation;
  if (v.user.size() != v.stars.size() || v.item.size() != v.stars.size())
    corrupt(name, "validation arrays differ in length");
  for (std::size_t k = 0; k < v.size(); ++k)
    if (v.user[k] >= nu || v.item[k] >= ni) corrupt(name, "validation row index out of range");
}

}  // namespace

namespace {

// The whole file: header, sections, then the CRC-32 of every byte before it.
void write_model(ByteWriter& w, const TrainedModel& model, std::size_t sections_bytes) {
  for (char c : kMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u32(kModelFormatVersion);
  w.u32(kByteOrderMark);
  w.u64(sections_bytes);
  write_sections(w, model);
}

std::size_t sections_size(const TrainedModel& model) {
  ByteWriter sizer = ByteWriter::counting();
  write_sections(sizer, model);
  return sizer.size();
}

}  // namespace

std::vector<std::uint8_t> serialize_model(const TrainedModel& model) {
  const std::size_t sections = sections_size(model);
  ByteWriter w;
  w.reserve(kHeaderBytes + sections + kTrailerBytes);
  write_model(w, model, sections);
  w.u32(crc32(w.bytes()));
  return std::move(w.bytes());
}

namespace {

// Everything the first 24 bytes and the total size can tell: checked before
// the rest is read, so a damaged size field cannot make us allocate the moon.
void check_header(std::span<const std::uint8_t> head, std::uint64_t file_size,
                  const std::string& name) {
  if (file_size == 0)
    throw Error(name, 0, "empty file, not a recsys model (run `recsys train` first)");
  if (head.size() < sizeof kMagic || std::memcmp(head.data(), kMagic, sizeof kMagic) != 0)
    throw Error(name, 0,
                "not a recsys model file (no RECSYSMF signature); pass a file written by "
                "`recsys train` with --model");
  if (file_size < kHeaderBytes + kTrailerBytes)
    throw Error(name, 0,
                "model file is truncated (" + std::to_string(file_size) +
                    " bytes): copy it again or train it again with `recsys train`");
  ByteReader header(head.subspan(8, kHeaderBytes - 8), name);
  const std::uint32_t version = header.u32();
  if (version == 0) corrupt(name, "format version 0");
  if (version > kModelFormatVersion)
    throw Error(name, 0,
                "model file format version " + std::to_string(version) +
                    " is newer than this recsys reads (up to " +
                    std::to_string(kModelFormatVersion) + "); upgrade recsys or retrain");
  if (header.u32() != kByteOrderMark) corrupt(name, "byte-order marker");
  const std::uint64_t payload = header.u64();
  if (payload != file_size - kHeaderBytes - kTrailerBytes) {
    const bool shorter = payload > file_size - kHeaderBytes - kTrailerBytes;
    throw Error(name, 0,
                std::string("model file is ") + (shorter ? "truncated" : "longer than written") +
                    " (its header says " +
                    (payload > (std::uint64_t{1} << 62)
                         ? std::string("an impossible size")
                         : std::to_string(payload + kHeaderBytes + kTrailerBytes) + " bytes") +
                    ", the file has " + std::to_string(file_size) +
                    "): copy it again or train it again with `recsys train`");
  }
}

}  // namespace

TrainedModel parse_model(std::span<const std::uint8_t> bytes, const std::string& name) {
  check_header(bytes.first(std::min(bytes.size(), kHeaderBytes)), bytes.size(), name);
  const auto body = bytes.first(bytes.size() - kTrailerBytes);
  ByteReader trailer(bytes.last(kTrailerBytes), name);
  if (crc32(body) != trailer.u32())
    throw Error(name, 0,
                "model file is corrupt: checksum mismatch (damaged on disk or in transfer); copy "
                "it again or train it again with `recsys train`");

  TrainedModel m;
  m.format_version = ByteReader(bytes.subspan(8, 4), name).u32();
  ByteReader sections(body.subspan(kHeaderBytes), name);
  std::map<std::uint32_t, int> seen;
  while (sections.remaining() > 0) {
    const std::uint32_t t = sections.u32();
    const std::uint64_t length = sections.u64();
    ByteReader r(sections.take(length), name);
    if (seen[t]++) corrupt(name, "a section appears twice");
    read_section(m, t, r, name);
  }
  for (const auto required :
       {kScaler, kUsers, kItems, kStats, kTitles, kTables, kRated, kValidation})
    if (!seen.count(required)) corrupt(name, "a required section is missing");
  if (m.format_version >= 2 && !seen.count(kSettings)) corrupt(name, "the settings are missing");
  check_consistency(m, name);
  m.index_validation();
  return m;
}

std::uint64_t save_model(const TrainedModel& model, const std::string& path) {
  const Embeddings& e = model.tables;
  if (!all_finite(e.user_vec) || !all_finite(e.item_vec) || !all_finite(e.user_bias) ||
      !all_finite(e.item_bias))
    throw Error(path, 0,
                "not written: training diverged (a weight is NaN or infinite); lower --lr and "
                "train again");
  const std::size_t sections = sections_size(model);
  write_file_atomically(path, [&](const ByteWriter::Sink& sink) {
    ByteWriter w = ByteWriter::streaming(sink);
    write_model(w, model, sections);
    w.flush();
    w.u32(w.crc());
    w.flush();
  });
  return kHeaderBytes + sections + kTrailerBytes;
}

TrainedModel load_model(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT)
      throw Error(
          path, 0,
          "no such model file (train one with `recsys train ratings.csv`, or pass --model PATH)");
    throw Error(path, 0,
                std::string("cannot open: ") + std::strerror(err) +
                    " (check the path and its permissions)");
  }
  if (S_ISDIR(st.st_mode)) throw Error(path, 0, "is a directory, expected a model file");
  std::FILE* raw = std::fopen(path.c_str(), "rb");
  if (!raw)
    throw Error(
        path, 0,
        std::string("cannot open: ") + std::strerror(errno) + " (check the file's permissions)");
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(raw, &std::fclose);
  auto read_fail = [&path] {
    throw Error(path, 0, std::string("cannot read: ") + std::strerror(errno ? errno : EIO));
  };
  std::vector<std::uint8_t> bytes;
  if (S_ISREG(st.st_mode)) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    bytes.resize(std::min<std::uint64_t>(size, kHeaderBytes));
    if (std::fread(bytes.data(), 1, bytes.size(), file.get()) != bytes.size()) read_fail();
    check_header(bytes, size, path);
    reserve_huge(bytes, static_cast<std::size_t>(size));
    bytes.resize(static_cast<std::size_t>(size));
    const std::size_t rest = bytes.size() - kHeaderBytes;
    errno = 0;
    if (std::fread(bytes.data() + kHeaderBytes, 1, rest, file.get()) != rest) {
      if (std::feof(file.get()))
        throw Error(path, 0,
                    "model file shrank while it was read (is it being written?); try again");
      read_fail();
    }
  } else {
    // A pipe (--model /dev/stdin): its size is known only at the end.
    std::uint8_t chunk[1 << 16];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0)
      bytes.insert(bytes.end(), chunk, chunk + n);
    if (std::ferror(file.get())) read_fail();
  }
  return parse_model(bytes, path);
}

}  // namespace recsys
