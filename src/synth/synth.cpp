#include "recsys/synth/synth.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <numeric>

#include "recsys/io/atomic_file.hpp"
#include "recsys/output/text_table.hpp"
#include "recsys/util/error.hpp"
#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

// The model's constants (see synth.hpp). Vector noise is set per component to
// kVectorNoise / sqrt(dim), so its norm, and with it how far a user or movie
// strays from its genre, does not depend on dim.
constexpr double kBaseStars = 3.5;
constexpr double kVectorNoise = 0.35;
constexpr double kSecondGenreShare = 0.3;   // movies that also list a second genre
constexpr double kSecondGenreWeight = 0.3;  // how much such a movie leans towards it
constexpr double kUserBiasStd = 0.3;
constexpr double kMovieBiasStd = 0.3;
constexpr double kMovieZipfExponent = 1.0;
// User activity is Zipf-Mandelbrot in the user's quantile q = rank / users:
// weight 1 / (q + offset)^exponent, the same shape at any number of users.
// These give the ML-25M shape a median near 60 ratings per user and a busiest
// user near 25,000, as MovieLens has (its median is 71, its maximum 32,202).
constexpr double kUserZipfExponent = 0.9;
constexpr double kUserZipfOffset = 0.0005;
constexpr std::uint64_t kMinUserRatings = 5;
// MovieLens's first and last timestamps (1995-01-09, 2019-11-21) and a mean
// active span of about six months per user.
constexpr std::int64_t kFirstTime = 789652009;
constexpr std::int64_t kLastTime = 1574327703;
constexpr double kMeanSpanSeconds = 180.0 * 86400.0;

constexpr std::array<std::string_view, 18> kGenres = {
    "Action",      "Comedy",    "Drama",   "Horror",    "Romance",  "Sci-Fi",
    "Documentary", "Animation", "Western", "Musical",   "Thriller", "Mystery",
    "Fantasy",     "Crime",     "War",     "Adventure", "Children", "Film-Noir"};

// Independent streams per purpose, so that --noise changes the ratings but not
// which (user, movie) pairs exist, and titles do not shift with --dim.
enum class Stream : std::uint64_t { Structure = 1, Pairs = 2, Noise = 3, Titles = 4 };
Rng stream(std::uint64_t seed, Stream s) {
  return Rng(seed ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(s)));
}

// Walker's alias method: O(1) draws from a fixed discrete distribution.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights)
      : prob_(weights.size()), alias_(weights.size()) {
    const std::size_t n = weights.size();
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] = (scaled[l] + scaled[s]) - 1.0;
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    // Whatever is left is 1 up to rounding.
    for (const std::uint32_t i : large) prob_[i] = 1.0, alias_[i] = i;
    for (const std::uint32_t i : small) prob_[i] = 1.0, alias_[i] = i;
  }
  std::uint32_t draw(Rng& rng) const {
    const auto i = static_cast<std::uint32_t>(rng.below(prob_.size()));
    return rng.uniform() < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

// A file written through a large buffer to a temporary name beside its
// target; publish() renames it into place, and a file never published is
// removed, so a failed run leaves no half-written CSV.
class OutputFile {
 public:
  explicit OutputFile(std::string path)
      : path_(std::move(path)), temp_(path_ + ".tmp." + std::to_string(::getpid())) {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(errno);
    buf_ = std::make_unique<char[]>(kCapacity);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!published_) ::unlink(temp_.c_str());
  }

  void put(char c) {
    if (pos_ == kCapacity) flush();
    buf_[pos_++] = c;
  }
  void put(std::string_view s) {
    if (s.size() > kCapacity - pos_) flush();
    if (s.size() > kCapacity) {
      write_all(s.data(), s.size());
      return;
    }
    std::memcpy(buf_.get() + pos_, s.data(), s.size());
    pos_ += s.size();
  }
  template <typename Int>
  void put_int(Int x) {
    if (kCapacity - pos_ < 24) flush();
    pos_ = static_cast<std::size_t>(
        std::to_chars(buf_.get() + pos_, buf_.get() + kCapacity, x).ptr - buf_.get());
  }

  // Everything on disk (fsync) and closed; returns the file's size.
  std::uint64_t finish() {
    flush();
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail(errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(errno);
    return written_;
  }
  void publish() {
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail(errno);
    published_ = true;
  }

 private:
  static constexpr std::size_t kCapacity = std::size_t(1) << 20;

  [[noreturn]] void fail(int err) const {
    throw Error(path_, 0, std::string("cannot write: ") + std::strerror(err));
  }
  void flush() {
    write_all(buf_.get(), pos_);
    pos_ = 0;
  }
  void write_all(const char* p, std::size_t left) {
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail(errno);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
      written_ += static_cast<std::uint64_t>(n);
    }
  }

  std::string path_, temp_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t pos_ = 0;
  std::uint64_t written_ = 0;
  bool published_ = false;
};

// How many ratings each user gives: a floor for everyone, the rest shared in
// proportion to the activity weight of a random rank, capped (water-filling:
// a capped user's excess goes to the others). The cap is half the movies when
// that still fits the total, so even the busiest user has movies left to be
// recommended, and every movie otherwise.
std::vector<std::uint32_t> ratings_per_user(const SynthOptions& o, Rng& rng) {
  const auto U = static_cast<std::uint64_t>(o.users);
  const auto M = static_cast<std::uint64_t>(o.movies);
  const auto R = static_cast<std::uint64_t>(o.ratings);
  const std::uint64_t floor_count = std::min({kMinUserRatings, M, R / U});
  const std::uint64_t half = std::max((M + 1) / 2, floor_count);
  const std::uint64_t cap = U * half >= R ? half : M;
  const std::uint64_t room = cap - floor_count;
  std::vector<std::uint32_t> counts(U, static_cast<std::uint32_t>(floor_count));
  std::uint64_t left = R - floor_count * U;

  std::vector<std::uint32_t> rank(U);
  std::iota(rank.begin(), rank.end(), 0u);
  rng.shuffle(rank.begin(), rank.end());
  std::vector<double> weight(U);
  for (std::uint64_t u = 0; u < U; ++u)
    weight[u] =
        std::pow((rank[u] + 1.0) / static_cast<double>(U) + kUserZipfOffset, -kUserZipfExponent);

  std::vector<bool> capped(U, false);
  double open_weight = std::accumulate(weight.begin(), weight.end(), 0.0);
  for (bool changed = true; changed && left > 0;) {
    changed = false;
    const double per_weight = static_cast<double>(left) / open_weight;
    for (std::uint64_t u = 0; u < U; ++u) {
      if (capped[u] || per_weight * weight[u] < static_cast<double>(room)) continue;
      capped[u] = true;
      counts[u] = static_cast<std::uint32_t>(cap);
      left -= room;
      open_weight -= weight[u];
      changed = true;
    }
  }
  // Cumulative rounding: every share is rounded up or down and the total is exact.
  if (left > 0 && open_weight > 0) {
    const double per_weight = static_cast<double>(left) / open_weight;
    double cumulative = 0;
    std::uint64_t given = 0;
    for (std::uint64_t u = 0; u < U; ++u) {
      if (capped[u]) continue;
      cumulative += per_weight * weight[u];
      const auto upto =
          std::min<std::uint64_t>(static_cast<std::uint64_t>(std::llround(cumulative)), left);
      const std::uint64_t add = std::min(upto - std::min(upto, given), room);
      counts[u] += static_cast<std::uint32_t>(add);
      given += add;
    }
  }
  // Rounding drift (a few rows at most) goes to or comes from users with room.
  std::uint64_t total = std::accumulate(counts.begin(), counts.end(), std::uint64_t(0));
  for (std::uint64_t u = 0; total < R; u = (u + 1) % U)
    if (counts[u] < cap) ++counts[u], ++total;
  for (std::uint64_t u = 0; total > R; u = (u + 1) % U)
    if (counts[u] > floor_count) --counts[u], --total;
  return counts;
}

// A dot product in kLanes independent partial sums, added up in a fixed
// order: the compiler vectorises it without -ffast-math, and the result is
// the same on every compiler, unlike one long chain or a reassociated sum.
constexpr std::size_t kLanes = 8;
constexpr std::size_t kPrefetchAhead = 8;
float lane_dot(const float* a, const float* b, std::size_t n) {
  float acc[kLanes] = {};
  for (std::size_t d = 0; d < n; d += kLanes)
    for (std::size_t j = 0; j < kLanes; ++j) acc[j] += a[d + j] * b[d + j];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

std::vector<float> unit_vector(int dim, Rng& rng) {
  std::vector<float> v(static_cast<std::size_t>(dim));
  for (double norm = 0; norm == 0;) {
    double sq = 0;
    for (float& x : v) {
      x = static_cast<float>(rng.normal());
      sq += static_cast<double>(x) * x;
    }
    norm = std::sqrt(sq);
    if (norm > 0)
      for (float& x : v) x = static_cast<float>(x / norm);
  }
  return v;
}

// Word lists for made-up titles. A share of the patterns produce commas
// (MovieLens's "Title, The (1999)") and double quotes, so that every reader
// of movies.csv has to handle RFC 4180 quoting.
constexpr std::array<std::string_view, 40> kAdjectives = {
    "Silent", "Crimson",  "Broken",  "Golden",   "Last",     "Lost",      "Hidden",  "Burning",
    "Frozen", "Wild",     "Dark",    "Bright",   "Quiet",    "Restless",  "Lucky",   "Wicked",
    "Gentle", "Savage",   "Secret",  "Electric", "Midnight", "Forgotten", "Hollow",  "Iron",
    "Velvet", "Paper",    "Distant", "Endless",  "Little",   "Crooked",   "Sweet",   "Bitter",
    "Lonely", "Fearless", "Strange", "Final",    "Second",   "Northern",  "Painted", "Sleeping"};
constexpr std::array<std::string_view, 40> kNouns = {
    "Harbor",   "Night",   "River",    "Garden",  "Mirror",    "Kingdom", "Summer",     "Winter",
    "Road",     "Station", "Letter",   "Promise", "Stranger",  "Horizon", "Island",     "Storm",
    "Shadow",   "Dream",   "Empire",   "Machine", "Heart",     "Orchard", "Lighthouse", "Circus",
    "Frontier", "Diary",   "Ballroom", "Canyon",  "Detective", "Signal",  "Engine",     "Planet",
    "Valley",   "Tide",    "Crown",    "Ghost",   "Window",    "Bridge",  "Lantern",    "Compass"};
constexpr std::array<std::string_view, 15> kPlurals = {
    "Ones",   "Strangers", "Brothers",  "Sisters", "Thieves", "Dreamers", "Kings", "Wolves",
    "Saints", "Drifters",  "Neighbors", "Pilots",  "Sailors", "Outlaws",  "Giants"};
constexpr std::array<std::string_view, 18> kNames = {
    "Marlowe", "Ada",  "Rosa",  "Jonah", "Felix",  "Greta", "Otis",  "Mabel", "Hugo",
    "Lena",    "Ruby", "Silas", "Nora",  "Victor", "Iris",  "Cyrus", "Juno",  "Walter"};
// Alternative titles in other languages, as MovieLens lists them; UTF-8 on purpose.
constexpr std::array<std::string_view, 8> kAltTitles = {
    "La nuit du port", "Der lange Weg", "El último verano",    "Café Lumière",
    "Kärlek och stål", "Noël à Paris",  "Il giardino segreto", "Sør for elven"};
constexpr std::array<std::string_view, 5> kSequels = {"2", "3", "II", "Part III", "Returns"};

template <std::size_t N>
std::string_view pick(const std::array<std::string_view, N>& words, Rng& rng) {
  return words[rng.below(N)];
}

// Two different words, so no "Garden of Garden".
template <std::size_t N>
std::pair<std::string_view, std::string_view> pick_two(const std::array<std::string_view, N>& words,
                                                       Rng& rng) {
  const std::uint64_t first = rng.below(N);
  return {words[first], words[(first + 1 + rng.below(N - 1)) % N]};
}

std::string make_title(Rng& rng) {
  // Every word is drawn up front in one fixed order: the operands of + are
  // evaluated in an unspecified order, and titles must not depend on the compiler.
  const std::uint64_t pattern = rng.below(100);
  const std::string adj(pick(kAdjectives, rng));
  const auto [noun_a, noun_b] = pick_two(kNouns, rng);
  const auto [group_a, group_b] = pick_two(kPlurals, rng);
  std::string_view group_c = pick(kPlurals, rng);
  while (group_c == group_a || group_c == group_b) group_c = pick(kPlurals, rng);
  const std::string_view name = pick(kNames, rng), sequel = pick(kSequels, rng),
                         alt = pick(kAltTitles, rng);
  const bool flag = rng.below(2) == 1, the = rng.below(4) != 0;
  // Recent years are more common, as in MovieLens.
  const int year = std::max(1902, 2019 - static_cast<int>(std::fabs(rng.normal()) * 22.0));

  const std::string n1(noun_a), n2(noun_b);
  std::string t;
  if (pattern < 20) {
    t = adj + " " + n1;
  } else if (pattern < 32) {
    t = n1 + (flag ? " of the " : " of ") + n2;
  } else if (pattern < 50) {  // a leading article moved to the end, as MovieLens writes it
    t = (flag ? n1 + " of " + n2 : adj + " " + n1) + (the ? ", The" : ", A");
  } else if (pattern < 58) {
    t = "The \"" + adj + "\" " + std::string(group_a);
  } else if (pattern < 66) {
    t = std::string(group_a) + ", " + std::string(group_b) + " and " + std::string(group_c);
  } else if (pattern < 74) {
    t = std::string(name) + "'s " + n1;
  } else if (pattern < 82) {
    t = adj + " " + n1 + " " + std::string(sequel);
  } else if (pattern < 90) {
    t = n1 + ": The " + adj + " " + n2;
  } else if (pattern < 95) {  // the quote opens the field, the hardest case for a parser
    t = "\"" + adj + "\" " + n1;
  } else {
    t = adj + " " + n1 + " (" + std::string(alt) + ")";
  }
  return t + " (" + std::to_string(year) + ")";
}

}  // namespace

std::span<const std::string_view> genre_names() { return kGenres; }

void check_synth_options(const SynthOptions& o) {
  if (o.users < 1 || o.users > 100'000'000)
    throw Error("--n-users must be between 1 and 100000000");
  if (o.movies < 1 || o.movies > 10'000'000)
    throw Error("--n-movies must be between 1 and 10000000");
  if (o.dim < 1 || o.dim > 1024) throw Error("--dim must be between 1 and 1024");
  if (static_cast<std::int64_t>(o.dim) * o.movies > 100'000'000)
    throw Error(
        "--n-movies x --dim must be at most 100000000 (the movie vectors are held in memory)");
  if (o.genres < 1 || o.genres > static_cast<int>(kGenres.size()))
    throw Error("--genres must be between 1 and " + std::to_string(kGenres.size()));
  if (!(o.noise >= 0) || !std::isfinite(o.noise) || o.noise > 5)
    throw Error("--noise must be between 0 and 5 (stars)");
  if (!(o.favourite_share >= 0 && o.favourite_share <= 1))
    throw Error("--favourite-share must be between 0 and 1");
  if (o.ratings < o.users)
    throw Error("--n-ratings must be at least --n-users (" + std::to_string(o.users) +
                "): every user rates at least one movie");
  if (o.ratings > o.users * o.movies)
    throw Error("--n-ratings " + std::to_string(o.ratings) +
                " is more than --n-users x --n-movies (" + std::to_string(o.users * o.movies) +
                "): each user rates a movie at most once");
}

std::vector<std::string> synth_titles(std::int64_t movies, std::uint64_t seed) {
  Rng rng = stream(seed, Stream::Titles);
  std::vector<std::string> titles(static_cast<std::size_t>(std::max<std::int64_t>(movies, 0)));
  for (auto& t : titles) t = make_title(rng);
  return titles;
}

SynthReport write_synthetic(const SynthOptions& o, const std::string& dir,
                            const std::function<void()>& ready) {
  check_synth_options(o);
  if (dir.empty()) throw Error("--out must name a directory");
  {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
      throw Error(dir, 0, "exists and is not a directory");
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error(dir, 0, "cannot create directory: " + ec.message());
  }
  const std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  // A ratings.csv that is a directory or a FIFO would fail only at the final
  // rename, after all the work.
  for (const char* name : {"ratings.csv", "movies.csv", "users.csv"}) check_writable(prefix + name);
  if (ready) ready();
  const auto U = static_cast<std::uint32_t>(o.users);
  const auto M = static_cast<std::uint32_t>(o.movies);
  const auto G = static_cast<std::uint32_t>(o.genres);
  const auto D = static_cast<std::size_t>(o.dim);
  const double vector_noise = kVectorNoise / std::sqrt(static_cast<double>(D));

  Rng structure = stream(o.seed, Stream::Structure);
  Rng pairs = stream(o.seed, Stream::Pairs);
  Rng noise = stream(o.seed, Stream::Noise);

  std::vector<std::vector<float>> centre;
  for (std::uint32_t g = 0; g < G; ++g) centre.push_back(unit_vector(o.dim, structure));

  // Rows padded with zeros to whole lanes of the dot product (adding 0 changes no sum).
  const std::size_t stride = (D + kLanes - 1) / kLanes * kLanes;
  std::vector<float> movie_vec(std::size_t(M) * stride, 0.0f), movie_bias(M);
  std::vector<std::uint8_t> genre_of(M);  // primary genre
  OutputFile movies_file(prefix + "movies.csv");
  movies_file.put("movieId,title,genres\n");
  const std::vector<std::string> titles = synth_titles(o.movies, o.seed);
  for (std::uint32_t m = 0; m < M; ++m) {
    const auto g = static_cast<std::uint32_t>(structure.below(G));
    genre_of[m] = static_cast<std::uint8_t>(g);
    float* v = movie_vec.data() + std::size_t(m) * stride;
    for (std::size_t d = 0; d < D; ++d)
      v[d] = centre[g][d] + static_cast<float>(vector_noise * structure.normal());
    std::string genres(kGenres[g]);
    if (G > 1 && structure.uniform() < kSecondGenreShare) {
      const auto other = static_cast<std::uint32_t>((g + 1 + structure.below(G - 1)) % G);
      for (std::size_t d = 0; d < D; ++d)
        v[d] += static_cast<float>(kSecondGenreWeight) * centre[other][d];
      genres += "|";
      genres += kGenres[other];
    }
    movie_bias[m] = static_cast<float>(kMovieBiasStd * structure.normal());
    movies_file.put_int(m + 1);
    movies_file.put(',');
    movies_file.put(csv_field(titles[m]));
    movies_file.put(',');
    movies_file.put(genres);
    movies_file.put('\n');
  }

  // Popularity: a random movie order, so popularity says nothing about movieId.
  std::vector<std::uint32_t> movie_of_rank(M);
  std::iota(movie_of_rank.begin(), movie_of_rank.end(), 0u);
  pairs.shuffle(movie_of_rank.begin(), movie_of_rank.end());
  std::vector<double> popularity(M), inverse_popularity(M);
  for (std::uint32_t r = 0; r < M; ++r) {
    popularity[r] = std::pow(r + 1.0, -kMovieZipfExponent);
    inverse_popularity[r] = 1.0 / popularity[r];
  }
  const AliasTable by_popularity(popularity);
  const double total_popularity = std::accumulate(popularity.begin(), popularity.end(), 0.0);
  std::vector<std::vector<std::uint32_t>> genre_ranks(
      G);  // each genre's movies, by popularity rank
  for (std::uint32_t r = 0; r < M; ++r) genre_ranks[genre_of[movie_of_rank[r]]].push_back(r);
  std::vector<AliasTable> by_genre;
  std::vector<double> genre_popularity(G, 0.0);
  for (std::uint32_t g = 0; g < G; ++g) {
    std::vector<double> w;
    for (const std::uint32_t r : genre_ranks[g]) w.push_back(popularity[r]);
    genre_popularity[g] = std::accumulate(w.begin(), w.end(), 0.0);
    by_genre.emplace_back(w);
  }
  const std::vector<std::uint32_t> counts = ratings_per_user(o, pairs);

  static constexpr std::array<std::string_view, 10> kStars = {"0.5", "1.0", "1.5", "2.0", "2.5",
                                                              "3.0", "3.5", "4.0", "4.5", "5.0"};
  OutputFile ratings_file(prefix + "ratings.csv");
  ratings_file.put("userId,movieId,rating,timestamp\n");
  std::vector<std::uint8_t> favourite(U);
  std::vector<std::uint32_t> seen_by(M, 0);  // 1 + the last user who drew the movie
  std::vector<std::uint32_t> movie_count(M, 0);
  std::vector<std::uint32_t> picked;
  std::vector<std::pair<double, std::uint32_t>> keys;
  std::vector<float> user_vec(stride, 0.0f);
  double star_sum = 0;
  for (std::uint32_t u = 0; u < U; ++u) {
    const auto g = static_cast<std::uint32_t>(structure.below(G));
    favourite[u] = static_cast<std::uint8_t>(g);
    for (std::size_t d = 0; d < D; ++d)
      user_vec[d] = centre[g][d] + static_cast<float>(vector_noise * structure.normal());
    const double user_bias = kUserBiasStd * structure.normal();

    // Which movies: weighted sampling without replacement from a mixture of
    // overall popularity and popularity within the favourite genre. Redrawing
    // duplicates is cheap while the user takes a small share of the catalogue
    // and of the genre; past that the popular movies are used up and redraws
    // would dominate, so heavy users take the k smallest of E_r / w_r
    // (E exponential), which is the same distribution (Efraimidis-Spirakis) in O(M).
    const std::uint32_t k = counts[u];
    const std::vector<std::uint32_t>& fav_ranks = genre_ranks[g];
    const double share = fav_ranks.empty() ? 0.0 : o.favourite_share;
    picked.clear();
    if (std::uint64_t(k) * 8 <= M && k * share * 4 <= static_cast<double>(fav_ranks.size())) {
      std::size_t fav_left =
          fav_ranks.size();  // once none is left, only the overall draws can succeed
      while (picked.size() < k) {
        const std::uint32_t r = fav_left > 0 && pairs.uniform() < share
                                    ? fav_ranks[by_genre[g].draw(pairs)]
                                    : by_popularity.draw(pairs);
        const std::uint32_t m = movie_of_rank[r];
        if (seen_by[m] == u + 1) continue;
        seen_by[m] = u + 1;
        picked.push_back(m);
        fav_left -= genre_of[m] == g;
      }
    } else {
      const double outside = (1.0 - share) / total_popularity;
      const double inside = outside + (share > 0 ? share / genre_popularity[g] : 0.0);
      keys.resize(M);
      for (std::uint32_t r = 0; r < M; ++r) {
        const double mixture = genre_of[movie_of_rank[r]] == g ? inside : outside;
        keys[r] = {-std::log(1.0 - pairs.uniform()) * inverse_popularity[r] / mixture, r};
      }
      std::nth_element(keys.begin(), keys.begin() + (k - 1), keys.end());
      for (std::uint32_t j = 0; j < k; ++j) picked.push_back(movie_of_rank[keys[j].second]);
    }
    std::sort(picked.begin(), picked.end());

    const std::int64_t first =
        kFirstTime + static_cast<std::int64_t>(pairs.below(kLastTime - kFirstTime));
    const auto span = std::min<std::int64_t>(
        kLastTime - first,
        static_cast<std::int64_t>(-std::log(1.0 - pairs.uniform()) * kMeanSpanSeconds));

    for (std::size_t j = 0; j < picked.size(); ++j) {
      // The movie table is too big for the cache and rows are visited sparsely:
      // fetching a few rows ahead hides most of the memory latency.
      if (j + kPrefetchAhead < picked.size()) {
        const char* ahead = reinterpret_cast<const char*>(
            movie_vec.data() + std::size_t(picked[j + kPrefetchAhead]) * stride);
        for (std::size_t byte = 0; byte < stride * sizeof(float); byte += 64)
          __builtin_prefetch(ahead + byte);
      }
      const std::uint32_t m = picked[j];
      const float dot =
          lane_dot(user_vec.data(), movie_vec.data() + std::size_t(m) * stride, stride);
      const double raw = kBaseStars + dot + user_bias + movie_bias[m] + o.noise * noise.normal();
      const int half_steps = static_cast<int>(std::clamp(std::round(raw * 2.0), 1.0, 10.0));
      star_sum += half_steps * 0.5;
      ++movie_count[m];
      ratings_file.put_int(u + 1);
      ratings_file.put(',');
      ratings_file.put_int(m + 1);
      ratings_file.put(',');
      ratings_file.put(kStars[static_cast<std::size_t>(half_steps - 1)]);
      ratings_file.put(',');
      ratings_file.put_int(
          first + static_cast<std::int64_t>(pairs.below(static_cast<std::uint64_t>(span) + 1)));
      ratings_file.put('\n');
    }
  }

  OutputFile users_file(prefix + "users.csv");
  users_file.put("userId,favorite_genre\n");
  for (std::uint32_t u = 0; u < U; ++u) {
    users_file.put_int(u + 1);
    users_file.put(',');
    users_file.put(kGenres[favourite[u]]);
    users_file.put('\n');
  }

  SynthReport report;
  report.ratings_bytes = ratings_file.finish();
  report.movies_bytes = movies_file.finish();
  report.users_bytes = users_file.finish();
  ratings_file.publish();
  movies_file.publish();
  users_file.publish();

  report.ratings = static_cast<std::uint64_t>(o.ratings);
  report.mean_rating = star_sum / static_cast<double>(o.ratings);
  std::vector<std::uint32_t> sorted(counts);
  std::sort(sorted.begin(), sorted.end());
  report.min_user_ratings = sorted.front();
  report.median_user_ratings = sorted[sorted.size() / 2];
  report.max_user_ratings = sorted.back();
  std::sort(movie_count.begin(), movie_count.end());
  report.median_movie_ratings = movie_count[movie_count.size() / 2];
  report.max_movie_ratings = movie_count.back();
  return report;
}

}  // namespace recsys
