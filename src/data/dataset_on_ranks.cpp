#include "recsys/data/dataset_on_ranks.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "dataset_parts.hpp"
#include "keep_rows.hpp"
#include "recsys/dist/message.hpp"
#include "recsys/dist/ring_sum.hpp"
#include "recsys/util/error.hpp"
#include "shared_read.hpp"

namespace recsys {
namespace {

// Rows with the index of each in its file (SharedPart::first_line), which
// orders them as the file does, whichever rank read them.
struct Rows {
  Ratings rows;
  std::vector<std::uint64_t> lines;
  std::vector<std::int64_t> times;  // only for a time split
  bool timed = false;
  std::size_t size() const { return rows.size(); }
  void push(std::uint32_t u, std::uint32_t i, float r, std::uint64_t line) {
    rows.push(u, i, r);
    lines.push_back(line);
  }
};

// Keeps the rows for which keep(k) holds, in order, with their lines and
// times.
template <typename Keep>
void keep_if(Rows& r, Keep&& keep) {
  std::size_t kept = 0;
  keep_rows_if(r.rows, [&](std::size_t k) {
    if (!keep(k)) return false;
    r.lines[kept] = r.lines[k];
    if (r.timed) r.times[kept] = r.times[k];
    ++kept;
    return true;
  });
  r.lines.resize(kept);
  if (r.timed) r.times.resize(kept);
}

double sum_over_ranks(double mine, Communicator& ranks) {
  std::vector<double> v{mine};
  ring_sum(v, ranks);
  return v[0];
}

// MPI counts bytes in an int: every rank says how large its largest part
// of an exchange is, and all throw the same Error when one is too large,
// rather than some waiting in the exchange.
void check_part_sizes(double my_largest, const char* what, Communicator& ranks) {
  Packer p;
  p.number(my_largest);
  double largest = 0;
  for (const std::string& s : ranks.all_gather(p.bytes()))
    largest = std::max(largest, Unpacker(s).number<double>());
  if (largest > double(std::numeric_limits<int>::max())) {
    char gb[32];
    std::snprintf(gb, sizeof gb, "%.1f", largest / 1e9);
    throw Error(std::string("reading across MPI ranks would send ") + gb + " GB of " + what +
                " in one exchange, over MPI's 2 GiB: use more ranks (docs/distributed.md)");
  }
}

RingPlan plan_of(const Ratings& rows, std::size_t n_users, std::size_t n_items,
                 Communicator& ranks) {
  std::vector<double> counts(n_users + n_items, 0.0);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    ++counts[rows.user[k]];
    ++counts[n_users + rows.item[k]];
  }
  ring_sum(counts, ranks);
  return RingPlan::balanced(std::span(counts).first(n_users), std::span(counts).subspan(n_users),
                            ranks.size());
}

// Each row to the rank of its user's group, in one pairwise exchange (step
// s: to rank me + s, from rank me - s). The parts are taken in rank order,
// and each rank's rows are in file order, so a rank's rows come out in
// file order too.
Rows route_by_user(SharedPart part, const RingPlan& plan, bool timed, Communicator& ranks) {
  const int n = ranks.size(), me = ranks.rank();
  const std::size_t row_bytes = 20 + (timed ? 8 : 0);
  std::vector<std::size_t> count(std::size_t(n), 0);
  for (const auto u : part.rows.user) ++count[std::size_t(plan.user_group(u))];
  check_part_sizes(double(*std::max_element(count.begin(), count.end())) * double(row_bytes),
                   "rows", ranks);
  std::vector<Packer> out(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r)
    out[std::size_t(r)].bytes().reserve(count[std::size_t(r)] * row_bytes);
  for (std::size_t k = 0; k < part.rows.size(); ++k) {
    Packer& p = out[std::size_t(plan.user_group(part.rows.user[k]))];
    p.number(part.rows.user[k]);
    p.number(part.rows.item[k]);
    p.number(float(part.rows.stars[k]));
    p.number<std::uint64_t>(part.first_line + k);
    if (timed) p.number(part.times[k]);
  }
  part = SharedPart();
  std::vector<std::string> in(static_cast<std::size_t>(n));
  in[std::size_t(me)] = std::move(out[std::size_t(me)].bytes());
  for (int s = 1; s < n; ++s) {
    const int to = (me + s) % n, from = (me - s + n) % n;
    ranks.send_receive(out[std::size_t(to)].bytes(), to, from, in[std::size_t(from)]);
    std::string().swap(out[std::size_t(to)].bytes());
  }
  Rows rows;
  rows.timed = timed;
  std::size_t total = 0;
  for (const std::string& bytes : in) total += bytes.size() / row_bytes;
  rows.rows.reserve(total);
  rows.lines.reserve(total);
  if (timed) rows.times.reserve(total);
  for (std::string& bytes : in) {
    Unpacker u(bytes);
    for (std::size_t k = 0; k < bytes.size() / row_bytes; ++k) {
      const auto user = u.number<std::uint32_t>();
      const auto item = u.number<std::uint32_t>();
      const auto stars = u.number<float>();
      rows.push(user, item, stars, u.number<std::uint64_t>());
      if (timed) rows.times.push_back(u.number<std::int64_t>());
    }
    std::string().swap(bytes);
  }
  return rows;
}

// Drops the earlier lines of repeated pairs (a user's rows are all on this
// rank, in file order); returns the lines dropped.
std::vector<std::uint64_t> drop_duplicates(Rows& r, std::size_t n_users, std::size_t n_items) {
  const std::vector<bool> drop = earlier_duplicates(r.rows, n_users, n_items);
  std::vector<std::uint64_t> dropped;
  for (std::size_t k = 0; k < r.size(); ++k)
    if (drop[k]) dropped.push_back(r.lines[k]);
  if (!dropped.empty()) keep_if(r, [&](std::size_t k) { return !drop[k]; });
  return dropped;
}

// The random split as one process draws it: the rows' positions among all
// kept rows of the file (a line less the dropped lines before it), and the
// same HoldOutDraw over every position on every rank.
std::vector<bool> draw_random(const Rows& r, const std::vector<std::uint64_t>& my_dropped,
                              double fraction, std::uint64_t seed, Communicator& ranks) {
  Packer p;
  p.array<std::uint64_t>(my_dropped);
  std::vector<std::uint64_t> dropped;
  for (const std::string& s : ranks.all_gather(p.bytes())) {
    const std::size_t n = s.size() / sizeof(std::uint64_t);
    const std::size_t at = dropped.size();
    dropped.resize(at + n);
    Unpacker(s).array<std::uint64_t>(std::span(dropped).subspan(at));
  }
  std::sort(dropped.begin(), dropped.end());
  const auto kept = std::size_t(sum_over_ranks(double(r.size()), ranks));
  HoldOutDraw draw(kept, rows_to_hold_out(kept, fraction), seed);
  std::vector<bool> marked(r.size(), false);
  std::size_t before = 0, position = 0;
  for (std::size_t k = 0; k < r.size(); ++k) {
    while (before < dropped.size() && dropped[before] < r.lines[k]) ++before;
    const std::uint64_t mine = r.lines[k] - before;
    for (; position < mine; ++position) draw.next();
    marked[k] = draw.next();
    ++position;
  }
  return marked;
}

// The time split: the latest ceil(n * fraction) rows of all, by timestamp
// and then line, as one process orders them. The cut is found by bisection
// on counts summed over the ranks, first on the timestamp, then on the
// line among the rows at the cut's timestamp.
std::vector<bool> latest_of_all(const Rows& r, double fraction, Communicator& ranks) {
  const auto total = std::size_t(sum_over_ranks(double(r.size()), ranks));
  const double n_val = double(rows_to_hold_out(total, fraction));
  std::vector<bool> marked(r.size(), false);
  if (n_val == 0) return marked;
  std::vector<std::int64_t> times = r.times;
  std::sort(times.begin(), times.end());
  // The largest x with count(key >= x) >= n_val, over [lo, hi).
  const auto bisect = [&](__int128 lo, __int128 hi, const auto& count_at_least) {
    while (hi - lo > 1) {
      const __int128 mid = lo + (hi - lo) / 2;
      (count_at_least(mid) >= n_val ? lo : hi) = mid;
    }
    return lo;
  };
  const auto times_at_least = [&](__int128 t) {
    const auto from = std::lower_bound(times.begin(), times.end(), t,
                                       [](std::int64_t a, __int128 b) { return a < b; });
    return sum_over_ranks(double(times.end() - from), ranks);
  };
  constexpr __int128 lowest = std::numeric_limits<std::int64_t>::min();
  constexpr __int128 past_highest = __int128(std::numeric_limits<std::int64_t>::max()) + 1;
  const auto cut = static_cast<std::int64_t>(bisect(lowest, past_highest, times_at_least));
  const double above = times_at_least(__int128(cut) + 1);
  std::vector<std::uint64_t> lines_at_cut;
  for (std::size_t k = 0; k < r.size(); ++k)
    if (r.times[k] == cut) lines_at_cut.push_back(r.lines[k]);
  const auto lines_at_least = [&](__int128 line) {
    const auto from = std::lower_bound(lines_at_cut.begin(), lines_at_cut.end(), line,
                                       [](std::uint64_t a, __int128 b) { return a < b; });
    return above + sum_over_ranks(double(lines_at_cut.end() - from), ranks);
  };
  const auto first_line = static_cast<std::uint64_t>(
      bisect(0, __int128(std::numeric_limits<std::uint64_t>::max()), lines_at_least));
  for (std::size_t k = 0; k < r.size(); ++k)
    marked[k] = r.times[k] > cut || (r.times[k] == cut && r.lines[k] >= first_line);
  return marked;
}

void move_marked(Rows& from, const std::vector<bool>& marked, Rows& to) {
  keep_if(from, [&](std::size_t k) {
    if (!marked[k]) return true;
    to.push(from.rows.user[k], from.rows.item[k], from.rows.stars[k], from.lines[k]);
    return false;
  });
}

// Every validation row to rank 0, in file order.
Ratings gather_val(const Rows& val, Communicator& ranks) {
  check_part_sizes(double(val.size()) * 20, "validation rows", ranks);
  Packer p;
  for (std::size_t k = 0; k < val.size(); ++k) {
    p.number(val.lines[k]);
    p.number(val.rows.user[k]);
    p.number(val.rows.item[k]);
    p.number(float(val.rows.stars[k]));
  }
  const std::vector<std::string> parts = ranks.gather_to_first(p.bytes());
  struct Row {
    std::uint64_t line;
    std::uint32_t user, item;
    float stars;
  };
  std::vector<Row> all;
  for (const std::string& s : parts) {
    Unpacker u(s);
    for (std::size_t k = 0; k < s.size() / 20; ++k) {
      Row row{};
      row.line = u.number<std::uint64_t>();
      row.user = u.number<std::uint32_t>();
      row.item = u.number<std::uint32_t>();
      row.stars = u.number<float>();
      all.push_back(row);
    }
  }
  std::sort(all.begin(), all.end(), [](const Row& a, const Row& b) { return a.line < b.line; });
  Ratings out;
  out.reserve(all.size());
  for (const Row& row : all) out.push(row.user, row.item, row.stars);
  return out;
}

// Every user's rated movies to rank 0: user groups are consecutive, in
// rank order.
RatedItems gather_rated(const Ratings& train, const RingPlan& plan, std::size_t n_users,
                        Communicator& ranks) {
  const int me = ranks.rank();
  const std::uint32_t first = plan.user_first[std::size_t(me)];
  const std::size_t n_mine = plan.user_first[std::size_t(me) + 1] - first;
  std::vector<std::uint32_t> local(train.size());
  for (std::size_t k = 0; k < train.size(); ++k) local[k] = train.user[k] - first;
  const RatedItems mine = RatedItems::build(n_mine, local, train.item);
  check_part_sizes(double(mine.items.size() * 4 + n_mine * 8), "rated movies", ranks);
  Packer p;
  for (std::size_t u = 0; u < n_mine; ++u)
    p.number<std::uint64_t>(mine.offsets[u + 1] - mine.offsets[u]);
  p.array<std::uint32_t>(mine.items);
  const std::vector<std::string> parts = ranks.gather_to_first(p.bytes());
  RatedItems all;
  if (me != 0) return all;
  all.offsets.assign(1, 0);
  all.offsets.reserve(n_users + 1);
  for (int r = 0; r < ranks.size(); ++r) {
    const std::size_t users = plan.user_first[std::size_t(r) + 1] - plan.user_first[std::size_t(r)];
    Unpacker u(parts[std::size_t(r)]);
    for (std::size_t k = 0; k < users; ++k)
      all.offsets.push_back(all.offsets.back() + u.number<std::uint64_t>());
    const std::size_t at = all.items.size();
    all.items.resize(all.offsets.back());
    u.array<std::uint32_t>(std::span(all.items).subspan(at));
  }
  return all;
}

// The scale from the extremes of every rank's rows, through Scaler::fit so
// that its checks and messages are one process's.
Scaler fit_scaler(const DatasetOptions& options, const Rows& train, const Rows& val,
                  Communicator& ranks) {
  if (options.load.range) return Scaler::from_range(*options.load.range);
  std::vector<float> extremes;  // this rank's lowest and highest, when it has rows
  for (const Rows* rows : {&train, &val})
    for (std::size_t k = 0; k < rows->size(); ++k) {
      const float s = rows->rows.stars[k];
      if (extremes.empty()) extremes = {s, s};
      extremes[0] = std::min(extremes[0], s);
      extremes[1] = std::max(extremes[1], s);
    }
  Packer p;
  p.array<float>(extremes);
  Ratings all;
  for (const std::string& s : ranks.all_gather(p.bytes())) {
    Unpacker u(s);
    for (std::size_t k = 0; k < s.size() / sizeof(float); ++k) all.push(0, 0, u.number<float>());
  }
  return Scaler::fit(all, Ratings(), options.ratings_path);
}

}  // namespace

RankDataset load_dataset_on_ranks(const DatasetOptions& options, HoldOut hold_out,
                                  Communicator& ranks) {
  if (options.ratings_path == "-" && options.val_path == "-")
    throw Error("-", 0, "standard input can be read once: give the ratings or --val as a file");
  RankDataset out;
  Dataset& data = out.data;
  const bool by_time = options.val_path.empty() && hold_out.split != Split::Random;
  LoadOptions load = options.load;
  load.ranks = nullptr;
  SharedPart train_part =
      read_shared(options.ratings_path, load, ranks, data.users, data.items, by_time);
  SharedPart val_part;
  if (!options.val_path.empty())
    val_part = read_shared(options.val_path, load, ranks, data.users, data.items, false);
  const std::size_t n_users = data.users.size(), n_items = data.items.size();
  out.plan = plan_of(train_part.rows, n_users, n_items, ranks);
  Rows train = route_by_user(std::move(train_part), out.plan, by_time, ranks);
  Rows val;
  if (!options.val_path.empty()) val = route_by_user(std::move(val_part), out.plan, false, ranks);

  const std::vector<std::uint64_t> dropped = drop_duplicates(train, n_users, n_items);
  const std::size_t val_dropped = drop_duplicates(val, n_users, n_items).size();
  const double file_rows = sum_over_ranks(double(train.size()), ranks);
  if (options.val_path.empty() && hold_out.fraction > 0) {
    std::vector<bool> marked;
    switch (hold_out.split) {
      case Split::Random:
        marked = draw_random(train, dropped, hold_out.fraction, hold_out.seed, ranks);
        break;
      case Split::UserTime:
        marked = mark_latest_of_each_user(train.rows, train.times, hold_out.fraction, n_users);
        break;
      case Split::Time:
        marked = latest_of_all(train, hold_out.fraction, ranks);
        break;
    }
    move_marked(train, marked, val);
  }
  std::vector<std::int64_t>().swap(train.times);
  train.timed = false;

  // Totals over every rank, in one sum.
  std::vector<double> totals{double(dropped.size()),
                             double(val_dropped),
                             double(train.size()),
                             double(val.size()),
                             0.0,
                             0.0};
  for (std::size_t k = 0; k < train.size(); ++k) totals[4] += train.rows.stars[k];
  if (!options.val_path.empty())
    totals[5] = double(RatedItems::build(n_users, val.rows).count_held(train.rows));
  ring_sum(totals, ranks);
  const auto train_duplicates = std::size_t(totals[0]), val_duplicates = std::size_t(totals[1]);
  out.train_rows = std::size_t(totals[2]);
  out.train_stars = totals[4];
  const auto val_rows = std::size_t(totals[3]);
  warn_duplicates(options.ratings_path, train_duplicates, options.load.columns);
  data.duplicate_rows = train_duplicates + val_duplicates;
  data.ratings_file_rows = std::size_t(file_rows);
  if (!options.val_path.empty()) {
    warn_duplicates(options.val_path, val_duplicates, options.load.columns);
    data.val_file_rows = val_rows;
    data.val_rows_in_training = std::size_t(totals[5]);
    warn_val_rows_in_training(options.val_path, data.val_rows_in_training, val_rows);
  }
  check_training_rows(options, out.train_rows, val_rows);
  data.scaler = fit_scaler(options, train, val, ranks);

  // Per movie: its rows, the sum of their stars, and its training rows.
  std::vector<double> per_item(3 * n_items, 0.0);
  for (const Rows* rows : {&train, &val})
    for (std::size_t k = 0; k < rows->size(); ++k) {
      per_item[rows->rows.item[k]] += 1;
      per_item[n_items + rows->rows.item[k]] += rows->rows.stars[k];
    }
  for (const auto i : train.rows.item) per_item[2 * n_items + i] += 1;
  ring_sum(per_item, ranks);
  data.stats.count.resize(n_items);
  data.stats.mean.assign(n_items, 0.0);
  for (std::size_t i = 0; i < n_items; ++i) {
    data.stats.count[i] = std::uint32_t(per_item[i]);
    if (per_item[i] > 0) data.stats.mean[i] = per_item[n_items + i] / per_item[i];
  }
  std::vector<bool> user_seen(n_users, false);
  for (const auto u : train.rows.user) user_seen[u] = true;
  double cold = 0;
  for (std::size_t k = 0; k < val.size(); ++k)
    cold += !user_seen[val.rows.user[k]] || per_item[2 * n_items + val.rows.item[k]] == 0;
  data.cold_val_rows = std::size_t(sum_over_ranks(cold, ranks));

  out.every_val = gather_val(val, ranks);
  out.every_rated = gather_rated(train.rows, out.plan, n_users, ranks);
  data.train = std::move(train.rows);
  data.val = std::move(val.rows);
  return out;
}

}  // namespace recsys
