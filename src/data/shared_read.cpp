#include "shared_read.hpp"

#include <sys/stat.h>

#include <cstring>

#include "csv_reader.hpp"
#include "recsys/dist/communicator.hpp"
#include "recsys/dist/message.hpp"
#include "recsys/util/error.hpp"

namespace recsys {
namespace {

// What one rank's parse came to: its ids and rows in its own index space,
// or the error it met.
struct Part {
  IdMap users, items;
  Ratings rows;
  std::vector<std::int64_t> times;
  std::size_t newlines = 0;  // '\n' bytes of the rank's range, to place its line numbers
  bool failed = false;
  Error error{""};
};

std::string pack_status(const Part& part) {
  Packer p;
  p.number<std::uint8_t>(part.failed);
  p.number<std::uint64_t>(part.newlines);
  p.number<std::uint64_t>(part.rows.size());
  if (part.failed) {
    p.number<std::uint64_t>(part.error.line());
    p.number<std::uint8_t>(part.error.kind() == Error::Kind::Internal);
    p.text(part.error.file());
    p.text(part.error.message());
  }
  return std::move(p.bytes());
}

// The first failure in file order, as a single read would meet it: a
// range's line L is the file's L plus the lines of the ranges before it
// (the header, read in front of every range, is line 1 of each).
void throw_first_failure(const std::vector<std::string>& statuses, bool header) {
  std::size_t before = 0;
  for (const std::string& s : statuses) {
    Unpacker u(s);
    const bool failed = u.number<std::uint8_t>() != 0;
    const auto newlines = u.number<std::uint64_t>();
    u.number<std::uint64_t>();  // rows
    if (failed) {
      const auto line = u.number<std::uint64_t>();
      const bool internal = u.number<std::uint8_t>() != 0;
      const std::string file(u.text()), message(u.text());
      const bool in_body = line != 0 && !(header && line == 1);
      throw Error(file, in_body ? line + before : line, message,
                  internal ? Error::Kind::Internal : Error::Kind::BadInput);
    }
    before += newlines;
  }
}

// How many rows the ranks before `me` read (none of them failed).
std::uint64_t rows_before(const std::vector<std::string>& statuses, int me) {
  std::uint64_t before = 0;
  for (int r = 0; r < me; ++r) {
    Unpacker u(statuses[std::size_t(r)]);
    u.number<std::uint8_t>();
    u.number<std::uint64_t>();
    before += u.number<std::uint64_t>();
  }
  return before;
}

std::string pack_ids(const Part& part) {
  Packer p;
  for (const IdMap* map : {&part.users, &part.items}) {
    p.number<std::uint64_t>(map->size());
    for (std::uint32_t k = 0; k < map->size(); ++k) p.text(map->token(k));
  }
  return std::move(p.bytes());
}

// Interns every rank's ids in rank order; returns, for this rank, its local
// user and item indexes' global ones.
void merge_ids(const std::vector<std::string>& all, int me, IdMap& users, IdMap& items,
               std::vector<std::uint32_t>& my_users, std::vector<std::uint32_t>& my_items) {
  for (int r = 0; r < static_cast<int>(all.size()); ++r) {
    Unpacker u(all[static_cast<std::size_t>(r)]);
    for (auto [map, mine] : {std::pair{&users, &my_users}, std::pair{&items, &my_items}}) {
      const auto n = u.number<std::uint64_t>();
      for (std::uint64_t k = 0; k < n; ++k) {
        const std::uint32_t global = map->intern(u.text());
        if (r == me) mine->push_back(global);
      }
    }
  }
}

// What one rank sees of the file before reading it. Every rank must see
// the same file (a shared filesystem, or the same copy on every machine).
struct FileView {
  std::uint8_t readable = 0, regular = 0, gzip = 0;
  std::uint64_t size = 0;
};

// Each rank looks at the file; all agree on what they saw, or throw the
// same Error: one rank unable to read it, or seeing other bytes than rank
// 0, would otherwise leave the others waiting in an exchange, or split
// rows that are not the same file.
FileView agreed_view(const std::string& path, Communicator& ranks) {
  FileView view;
  std::string problem;
  try {
    require_csv_file(path);
    struct stat st {};
    view.regular = path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    view.size = view.regular ? static_cast<std::uint64_t>(st.st_size) : 0;
    view.gzip = view.regular && is_gzip_file(path);
    view.readable = 1;
  } catch (const Error& e) {
    problem = e.what();
  }
  Packer p;
  p.number(view);
  p.text(problem);
  const std::vector<std::string> views = ranks.all_gather(p.bytes());
  FileView first;
  for (std::size_t r = 0; r < views.size(); ++r) {
    Unpacker u(views[r]);
    const auto seen = u.number<FileView>();
    const std::string said(u.text());
    if (!seen.readable) throw Error(r == 0 ? said : "MPI rank " + std::to_string(r) + ": " + said);
    if (r == 0) first = seen;
    if (seen.size != first.size || seen.regular != first.regular)
      throw Error(path, 0,
                  "MPI rank " + std::to_string(r) + " sees " + std::to_string(seen.size) +
                      " bytes, rank 0 " + std::to_string(first.size) +
                      ": every rank must read the same file");
  }
  return first;
}

}  // namespace

SharedPart read_shared(const std::string& path, const LoadOptions& options, Communicator& ranks,
                       IdMap& users, IdMap& items, bool with_times) {
  const int me = ranks.rank();
  Part part;
  const FileView view = agreed_view(path, ranks);
  // Every rank cuts the same file the same way, so each knows which range
  // is its own without a word exchanged.
  SplitFile split;
  bool shared = false;
  try {
    if (view.regular && !view.gzip) split = split_lines(path, ranks.size(), options.layout.header);
    shared = static_cast<int>(split.ranges.size()) == ranks.size();
    if (shared) {
      const Separator found =
          read_range(path, split, static_cast<std::size_t>(me), options, part.users, part.items,
                     part.rows, with_times ? &part.times : nullptr);
      part.newlines = count_newlines(split, split.ranges[static_cast<std::size_t>(me)]);
      if (me == 0) log_found_separator(path, options, found);
    } else if (me == 0) {
      // Not cut: rank 0 reads it all, with its own threads.
      if (with_times)
        load_ratings(path, options, part.users, part.items, part.rows, part.times);
      else
        load_ratings(path, options, part.users, part.items, part.rows);
    }
  } catch (const Error& e) {
    part.failed = true;
    part.error = e;
  }
  const std::vector<std::string> statuses = ranks.all_gather(pack_status(part));
  throw_first_failure(statuses, shared && options.layout.header);

  std::vector<std::uint32_t> user_of, item_of;
  merge_ids(ranks.all_gather(pack_ids(part)), me, users, items, user_of, item_of);
  part.users = IdMap();
  part.items = IdMap();
  SharedPart out;
  out.first_line = rows_before(statuses, me);
  out.rows = std::move(part.rows);
  for (auto& u : out.rows.user) u = user_of[u];
  for (auto& i : out.rows.item) i = item_of[i];
  out.times = std::move(part.times);
  return out;
}

}  // namespace recsys
