// The synthetic data generator: reproducible bytes, valid rows, exact counts,
// skewed popularity, CSV quoting that round-trips, and a planted structure
// that shows in the raw ratings.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "recsys/data/movies.hpp"
#include "recsys/data/ratings.hpp"
#include "recsys/synth/synth.hpp"
#include "recsys/util/error.hpp"

namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("recsys-synth-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The sample's shape: small, dense enough for every path of the sampler.
recsys::SynthOptions small_shape(std::uint64_t seed = 42) {
  recsys::SynthOptions o;
  o.users = 300;
  o.movies = 400;
  o.ratings = 20000;
  o.dim = 16;
  o.genres = 6;
  o.seed = seed;
  return o;
}

struct Row {
  long user, movie;
  double stars;
  long long timestamp;
};

long long to_int(std::string_view s) {
  long long x = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
  REQUIRE(r.ec == std::errc());
  REQUIRE(r.ptr == s.data() + s.size());
  return x;
}

// ratings.csv has no quoted fields, so a plain split reads it; strict parsing
// makes a malformed number fail the test instead of reading as 0.
std::vector<Row> read_rows(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "userId,movieId,rating,timestamp");
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string_view> f;
    std::string_view rest(line);
    for (std::size_t comma; (comma = rest.find(',')) != std::string_view::npos;
         rest.remove_prefix(comma + 1))
      f.push_back(rest.substr(0, comma));
    f.push_back(rest);
    REQUIRE(f.size() == 4);
    rows.push_back({static_cast<long>(to_int(f[0])), static_cast<long>(to_int(f[1])),
                    std::stod(std::string(f[2])), to_int(f[3])});
  }
  return rows;
}

std::map<long, std::string> read_favourites(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "userId,favorite_genre");
  std::map<long, std::string> fav;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    REQUIRE(comma != std::string::npos);
    fav[static_cast<long>(to_int(std::string_view(line).substr(0, comma)))] =
        line.substr(comma + 1);
  }
  return fav;
}

std::string primary_genre(const std::string& genres) { return genres.substr(0, genres.find('|')); }

}  // namespace

TEST_CASE("synth: the same seed gives the same bytes, another seed other bytes", "[synth]") {
  ScratchDir a, b, c;
  recsys::write_synthetic(small_shape(42), a.str());
  recsys::write_synthetic(small_shape(42), b.str());
  recsys::write_synthetic(small_shape(43), c.str());
  for (const char* name : {"ratings.csv", "movies.csv", "users.csv"}) {
    INFO(name);
    CHECK(slurp(a.file(name)) == slurp(b.file(name)));
    CHECK(slurp(a.file(name)) != slurp(c.file(name)));
  }
  // Nothing but the three files: the temporaries were renamed away.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(a.str())) ++entries;
  CHECK(entries == 3);
}

TEST_CASE("synth: rows are unique half-star ratings, in order, exactly as many as asked",
          "[synth]") {
  ScratchDir dir;
  const recsys::SynthOptions o = small_shape();
  const recsys::SynthReport report = recsys::write_synthetic(o, dir.str());
  const std::vector<Row> rows = read_rows(dir.file("ratings.csv"));
  REQUIRE(rows.size() == static_cast<std::size_t>(o.ratings));
  CHECK(report.ratings == rows.size());
  CHECK(report.ratings_bytes == fs::file_size(dir.file("ratings.csv")));

  std::set<std::pair<long, long>> pairs;
  std::map<long, int> per_user;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const Row& r = rows[k];
    CHECK(pairs.insert({r.user, r.movie}).second);
    REQUIRE(r.user >= 1);
    REQUIRE(r.user <= o.users);
    REQUIRE(r.movie >= 1);
    REQUIRE(r.movie <= o.movies);
    REQUIRE(r.stars >= 0.5);
    REQUIRE(r.stars <= 5.0);
    REQUIRE(r.stars * 2 == std::floor(r.stars * 2));
    // 1995-01-09 .. 2019-11-21, MovieLens's own span.
    REQUIRE(r.timestamp >= 789652009);
    REQUIRE(r.timestamp <= 1574327703);
    if (k > 0) REQUIRE(std::pair(rows[k - 1].user, rows[k - 1].movie) < std::pair(r.user, r.movie));
    ++per_user[r.user];
  }
  CHECK(pairs.size() == rows.size());
  // Every user is there, with at least the floor of 5 ratings.
  REQUIRE(per_user.size() == static_cast<std::size_t>(o.users));
  for (const auto& [user, n] : per_user) CHECK(n >= 5);
  // No user rated more than half the catalogue: everyone has films left to recommend.
  CHECK(static_cast<std::int64_t>(report.max_user_ratings) <= o.movies / 2);

  // And the project's own loader reads the file as it is.
  recsys::IdMap users, items;
  recsys::Ratings loaded;
  recsys::load_ratings(dir.file("ratings.csv"), {}, users, items, loaded);
  CHECK(loaded.size() == rows.size());
  CHECK(users.size() == static_cast<std::size_t>(o.users));
}

TEST_CASE("synth: a request near users x movies is met exactly, each pair once", "[synth]") {
  // 550 of 600 pairs: most users must rate nearly every movie, which takes
  // the sampler's heavy-user path and the cap at the number of movies.
  for (const std::int64_t ratings : {550, 600, 20}) {
    INFO("ratings " << ratings);
    ScratchDir dir;
    recsys::SynthOptions o;
    o.users = 20;
    o.movies = 30;
    o.ratings = ratings;
    o.dim = 4;
    recsys::write_synthetic(o, dir.str());
    const std::vector<Row> rows = read_rows(dir.file("ratings.csv"));
    CHECK(rows.size() == static_cast<std::size_t>(ratings));
    std::set<std::pair<long, long>> pairs;
    std::set<long> users;
    for (const Row& r : rows) {
      CHECK(pairs.insert({r.user, r.movie}).second);
      CHECK(r.movie <= o.movies);
      users.insert(r.user);
    }
    CHECK(users.size() == static_cast<std::size_t>(o.users));
  }
}

TEST_CASE("synth: movie popularity is skewed", "[synth]") {
  ScratchDir dir;
  const recsys::SynthOptions o = small_shape();
  const recsys::SynthReport report = recsys::write_synthetic(o, dir.str());
  std::vector<int> count(static_cast<std::size_t>(o.movies), 0);
  for (const Row& r : read_rows(dir.file("ratings.csv")))
    ++count[static_cast<std::size_t>(r.movie - 1)];
  std::sort(count.begin(), count.end());
  const int median = count[count.size() / 2];
  const int most = count.back();
  INFO("most rated " << most << ", median " << median);
  CHECK(most >= 4 * std::max(median, 1));
  CHECK(report.max_movie_ratings == static_cast<std::uint64_t>(most));
  CHECK(report.median_movie_ratings == static_cast<std::uint64_t>(median));
}

TEST_CASE("synth: movies.csv quotes titles with commas and quotes, and they round-trip",
          "[synth]") {
  ScratchDir dir;
  const recsys::SynthOptions o = small_shape();
  recsys::write_synthetic(o, dir.str());
  const std::vector<std::string> titles = recsys::synth_titles(o.movies, o.seed);
  REQUIRE(titles.size() == static_cast<std::size_t>(o.movies));
  const auto movies = recsys::load_movies(dir.file("movies.csv"));
  REQUIRE(movies.size() == titles.size());

  const auto planted = recsys::genre_names().first(static_cast<std::size_t>(o.genres));
  std::size_t with_comma = 0, with_quote = 0, quote_first = 0, non_ascii = 0, two_genres = 0;
  for (std::size_t m = 0; m < titles.size(); ++m) {
    const auto it = movies.find(std::to_string(m + 1));
    REQUIRE(it != movies.end());
    CHECK(it->second.title == titles[m]);
    const std::string& t = titles[m];
    with_comma += t.find(',') != std::string::npos;
    with_quote += t.find('"') != std::string::npos;
    quote_first += !t.empty() && t.front() == '"';
    non_ascii += std::any_of(t.begin(), t.end(),
                             [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    // Every title ends in a year, as MovieLens's do.
    CHECK(t.size() > 7);
    CHECK(t[t.size() - 6] == '(');
    CHECK(t.back() == ')');
    // One or two genres, each a planted one.
    std::string_view g(it->second.genres);
    const std::size_t bar = g.find('|');
    two_genres += bar != std::string_view::npos;
    for (const std::string_view part :
         {g.substr(0, bar), bar == std::string_view::npos ? g : g.substr(bar + 1)})
      CHECK(std::find(planted.begin(), planted.end(), part) != planted.end());
  }
  // The file really holds RFC 4180 quoting, in MovieLens's style.
  const std::string raw = slurp(dir.file("movies.csv"));
  CHECK(raw.rfind("movieId,title,genres\n", 0) == 0);
  CHECK(raw.find(", The (") != std::string::npos);
  CHECK(raw.find("\"The \"\"") != std::string::npos);
  CHECK(raw.find(",\"\"\"") != std::string::npos);  // a title that opens with a quote
  CHECK(with_comma >= titles.size() / 10);
  CHECK(with_quote >= titles.size() / 20);
  CHECK(quote_first > 0);
  CHECK(non_ascii > 0);
  CHECK(two_genres > 0);
}

TEST_CASE("synth: users rate their planted favourite genre higher", "[synth]") {
  ScratchDir dir;
  const recsys::SynthOptions o = small_shape();
  recsys::write_synthetic(o, dir.str());
  const auto movies = recsys::load_movies(dir.file("movies.csv"));
  const auto favourite = read_favourites(dir.file("users.csv"));
  REQUIRE(favourite.size() == static_cast<std::size_t>(o.users));

  struct Sums {
    double fav = 0, other = 0;
    int n_fav = 0, n_other = 0;
  };
  std::map<long, Sums> by_user;
  for (const Row& r : read_rows(dir.file("ratings.csv"))) {
    Sums& s = by_user[r.user];
    if (primary_genre(movies.at(std::to_string(r.movie)).genres) == favourite.at(r.user))
      s.fav += r.stars, ++s.n_fav;
    else
      s.other += r.stars, ++s.n_other;
  }
  double margin_sum = 0;
  int users = 0, prefer = 0;
  for (const auto& [user, s] : by_user) {
    if (s.n_fav == 0 || s.n_other == 0) continue;
    const double margin = s.fav / s.n_fav - s.other / s.n_other;
    margin_sum += margin;
    prefer += margin > 0;
    ++users;
  }
  REQUIRE(users >= o.users * 9 / 10);
  const double mean_margin = margin_sum / users;
  INFO("mean margin " << mean_margin << " stars; " << prefer << " of " << users
                      << " users prefer their favourite");
  CHECK(mean_margin > 0.5);
  CHECK(prefer >= users * 9 / 10);

  // With one genre only there is nothing to prefer, and nothing breaks.
  recsys::SynthOptions one = o;
  one.genres = 1;
  ScratchDir single;
  recsys::write_synthetic(one, single.str());
  for (const auto& [id, info] : recsys::load_movies(single.file("movies.csv")))
    CHECK(info.genres == "Action");
}

TEST_CASE("synth: --favourite-share plants which films users choose", "[synth]") {
  // The share of each user's rows in their favourite genre follows the option.
  auto share_in_favourite = [](double favourite_share) {
    ScratchDir dir;
    recsys::SynthOptions o = small_shape();
    o.favourite_share = favourite_share;
    recsys::write_synthetic(o, dir.str());
    const auto movies = recsys::load_movies(dir.file("movies.csv"));
    const auto favourite = read_favourites(dir.file("users.csv"));
    std::size_t in = 0, all = 0;
    for (const Row& r : read_rows(dir.file("ratings.csv"))) {
      in += primary_genre(movies.at(std::to_string(r.movie)).genres) == favourite.at(r.user);
      ++all;
    }
    return double(in) / double(all);
  };
  const double none = share_in_favourite(0.0), some = share_in_favourite(0.3),
               most = share_in_favourite(0.9);
  INFO("rows in the favourite genre: " << none << " / " << some << " / " << most);
  CHECK(none < 0.3);  // popularity alone: about one genre's share of the catalogue
  CHECK(some > none + 0.1);
  CHECK(most > some + 0.2);  // a user who exhausts the genre takes the rest by popularity
}

TEST_CASE("synth: the noise stream changes ratings but not who rated what", "[synth]") {
  ScratchDir quiet, loud;
  recsys::SynthOptions o = small_shape();
  o.noise = 0;
  recsys::write_synthetic(o, quiet.str());
  o.noise = 1.5;
  recsys::write_synthetic(o, loud.str());
  const auto a = read_rows(quiet.file("ratings.csv"));
  const auto b = read_rows(loud.file("ratings.csv"));
  REQUIRE(a.size() == b.size());
  std::size_t differ = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    REQUIRE(a[k].user == b[k].user);
    REQUIRE(a[k].movie == b[k].movie);
    REQUIRE(a[k].timestamp == b[k].timestamp);
    differ += a[k].stars != b[k].stars;
  }
  CHECK(differ > a.size() / 4);
  CHECK(slurp(quiet.file("movies.csv")) == slurp(loud.file("movies.csv")));
}

TEST_CASE("synth: absurd options are recsys::Error, before anything is written", "[synth]") {
  const auto rejects = [](auto change, const std::string& fragment) {
    recsys::SynthOptions o = small_shape();
    change(o);
    ScratchDir dir;
    INFO("expected an error mentioning " << fragment);
    try {
      recsys::write_synthetic(o, dir.str());
      FAIL("no error");
    } catch (const recsys::Error& e) {
      CHECK(std::string(e.what()).find(fragment) != std::string::npos);
      CHECK(e.kind() == recsys::Error::Kind::BadInput);
    }
    CHECK_FALSE(fs::exists(dir.str()));
  };
  rejects([](recsys::SynthOptions& o) { o.users = 0; }, "--n-users");
  rejects([](recsys::SynthOptions& o) { o.users = -3; }, "--n-users");
  rejects([](recsys::SynthOptions& o) { o.movies = 0; }, "--n-movies");
  rejects([](recsys::SynthOptions& o) { o.ratings = o.users * o.movies + 1; }, "at most once");
  rejects([](recsys::SynthOptions& o) { o.ratings = o.users - 1; }, "--n-ratings");
  rejects([](recsys::SynthOptions& o) { o.genres = 0; }, "--genres");
  rejects(
      [](recsys::SynthOptions& o) {
        o.genres = static_cast<int>(recsys::genre_names().size()) + 1;
      },
      "--genres");
  rejects([](recsys::SynthOptions& o) { o.dim = 0; }, "--dim");
  rejects([](recsys::SynthOptions& o) { o.noise = -0.1; }, "--noise");
  rejects([](recsys::SynthOptions& o) { o.favourite_share = 1.5; }, "--favourite-share");
  rejects([](recsys::SynthOptions& o) { o.noise = std::numeric_limits<double>::quiet_NaN(); },
          "--noise");

  ScratchDir dir;
  fs::create_directories(dir.str());
  std::ofstream(dir.file("plain-file")) << "x";
  CHECK_THROWS_AS(recsys::write_synthetic(small_shape(), dir.file("plain-file")), recsys::Error);
}

TEST_CASE("synth: the CLI writes the files and refuses zero users with exit code 2",
          "[synth][cli]") {
  ScratchDir dir;
  const std::string out = dir.file("nested/deeper");  // missing parents are created
  const std::string ok =
      std::string(RECSYS_BINARY) +
      " synth --n-users 50 --n-movies 60 --n-ratings 900 --genres 3 --dim 8 --seed 7 --out '" +
      out + "' 2>'" + dir.str() + ".log'";
  REQUIRE(std::system(ok.c_str()) == 0);
  CHECK(read_rows(out + "/ratings.csv").size() == 900);
  CHECK(read_favourites(out + "/users.csv").size() == 50);
  std::error_code ec;
  fs::remove(dir.str() + ".log", ec);

  const std::string bad =
      std::string(RECSYS_BINARY) + " synth --n-users 0 --out '" + dir.file("bad") + "' 2>/dev/null";
  const int status = std::system(bad.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK_FALSE(fs::exists(dir.file("bad")));
}
