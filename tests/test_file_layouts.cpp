// Ratings files in every layout recsys reads (file_layout.hpp): the same
// ratings written as CSV with a header, MovieLens 100K's tab-separated u.data,
// 1M's '::' ratings.dat, ';' files, headerless CSV with its own column order,
// gzip and standard input; each loads to the same rows, and each way of
// getting a layout wrong is refused with the file and line.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "recsys/data/file_layout.hpp"
#include "recsys/data/ratings.hpp"
#include "support.hpp"
#include "test_hardening_support.hpp"

using Catch::Matchers::Contains;
using hardening::check_failure;
using hardening::q;
using hardening::run_recsys;
using hardening::shell;
using recsys::FileLayout;
using recsys::LoadOptions;
using recsys::Separator;
using test_support::error_from;
using test_support::TempDir;

namespace {

struct Row {
  std::string user, item;
  float stars;
  bool operator==(const Row&) const = default;
};

const std::vector<Row> kRows = {{"196", "242", 3}, {"186", "302", 3.5f}, {"196", "377", 1},
                                {"244", "51", 2},  {"166", "346", 1},    {"298", "474", 4.5f},
                                {"115", "265", 2}, {"253", "465", 5},    {"305", "451", 3},
                                {"6", "86", 3}};

// The rows as written in a layout: sep between fields, a timestamp after
// the rating, a header line when header is not empty.
std::string written(const std::string& sep, const std::string& header) {
  std::string s = header.empty() ? "" : header + "\n";
  long t = 881250949;
  for (const Row& r : kRows) {
    char stars[16];
    std::snprintf(stars, sizeof stars, "%g", double(r.stars));
    s += r.user + sep + r.item + sep + stars + sep + std::to_string(t++) + "\n";
  }
  return s;
}

std::vector<Row> load(const std::string& path, const LoadOptions& options = {},
                      std::vector<std::int64_t>* times = nullptr) {
  recsys::IdMap users, items;
  recsys::Ratings rows;
  if (times)
    recsys::load_ratings(path, options, users, items, rows, *times);
  else
    recsys::load_ratings(path, options, users, items, rows);
  std::vector<Row> out;
  for (std::size_t k = 0; k < rows.size(); ++k)
    out.push_back({users.token(rows.user[k]), items.token(rows.item[k]), rows.stars[k]});
  return out;
}

LoadOptions headerless(Separator sep = Separator::automatic) {
  LoadOptions o;
  o.layout.header = false;
  o.layout.separator = sep;
  return o;
}

std::string gzip(const std::string& text) {
  uLongf size = compressBound(static_cast<uLong>(text.size())) + 32;
  std::string out(size, '\0');
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

TEST_CASE("separators and column orders parse as the options spell them") {
  CHECK(recsys::parse_separator("auto") == Separator::automatic);
  CHECK(recsys::parse_separator(",") == Separator::comma);
  CHECK(recsys::parse_separator("tab") == Separator::tab);
  CHECK(recsys::parse_separator("\t") == Separator::tab);
  CHECK(recsys::parse_separator("::") == Separator::double_colon);
  CHECK(recsys::parse_separator(";") == Separator::semicolon);
  CHECK_THAT(error_from([] { recsys::parse_separator("|"); })->message(),
             Contains("expected auto, ',', tab, '::' or ';'"));

  CHECK(recsys::parse_column_order("user,item,rating,timestamp") == std::array<int, 4>{0, 1, 2, 3});
  CHECK(recsys::parse_column_order("item,skip,user,rating") == std::array<int, 4>{2, 0, 3, -1});
  CHECK(recsys::parse_column_order("user,item", false) == std::array<int, 4>{0, 1, -1, -1});
  CHECK_THAT(error_from([] { recsys::parse_column_order("user,item"); })->message(),
             Contains("'rating' is missing"));
  CHECK_THAT(error_from([] { recsys::parse_column_order("user,user,item,rating"); })->message(),
             Contains("'user' appears twice"));
  CHECK_THAT(error_from([] { recsys::parse_column_order("user,movie,rating"); })->message(),
             Contains("unknown column 'movie'"));
}

TEST_CASE("the separator is found from the first line") {
  CHECK(recsys::detect_separator("userId,movieId,rating,timestamp") == Separator::comma);
  CHECK(recsys::detect_separator("196\t242\t3\t881250949") == Separator::tab);
  CHECK(recsys::detect_separator("1::1193::5::978300760") == Separator::double_colon);
  CHECK(recsys::detect_separator("user;item;rating") == Separator::semicolon);
  // Separators inside quotes do not count; a one-column line falls back to ','.
  CHECK(recsys::detect_separator("\"a;b;c\",x,y") == Separator::comma);
  CHECK(recsys::detect_separator("\"x::y\",1,2") == Separator::comma);
  CHECK(recsys::detect_separator("rating") == Separator::comma);
}

TEST_CASE("every layout loads to the same rows") {
  TempDir dir;
  const std::string csv = dir.write("ratings.csv", written(",", "userId,movieId,rating,timestamp"));
  REQUIRE(load(csv) == kRows);
  CHECK(load(dir.write("u.data", written("\t", "")), headerless()) == kRows);
  CHECK(load(dir.write("ratings.dat", written("::", "")), headerless()) == kRows);
  CHECK(load(dir.write("semi.csv", written(";", "userId;movieId;rating;timestamp"))) == kRows);
  CHECK(load(dir.write("tabbed.tsv", written("\t", "userId\tmovieId\trating\ttimestamp"))) ==
        kRows);
  // Separators given rather than found.
  CHECK(load(dir.file("u.data"), headerless(Separator::tab)) == kRows);
  CHECK(load(dir.file("ratings.dat"), headerless(Separator::double_colon)) == kRows);

  SECTION("a headerless file in its own column order") {
    std::string text;
    for (const Row& r : kRows) {
      char stars[16];
      std::snprintf(stars, sizeof stars, "%g", double(r.stars));
      text += r.item + ",x," + r.user + "," + stars + "\n";
    }
    LoadOptions o = headerless();
    o.layout.positions = recsys::parse_column_order("item,skip,user,rating");
    CHECK(load(dir.write("own.csv", text), o) == kRows);
  }
  SECTION("timestamps are read by position") {
    std::vector<std::int64_t> times;
    CHECK(load(dir.file("ratings.dat"), headerless(), &times) == kRows);
    REQUIRE(times.size() == kRows.size());
    CHECK(times.front() == 881250949);
    CHECK(times.back() == 881250949 + 9);
  }
  SECTION("a time split needs a timestamp column") {
    LoadOptions o = headerless();
    o.layout.positions = recsys::parse_column_order("user,item,rating");
    std::vector<std::int64_t> times;
    CHECK_THAT(error_from([&] { load(dir.file("u.data"), o, &times); })->message(),
               Contains("--columns names none"));
  }
}

TEST_CASE("a large headerless file parsed by several threads gives the rows of one") {
  TempDir dir;
  std::string text;
  for (int k = 0; k < 20000; ++k)
    text += std::to_string(k % 97) + "::" + std::to_string((k * 7) % 113) +
            "::" + std::to_string(1 + k % 5) + "::" + std::to_string(900000000 + k) + "\n";
  const std::string path = dir.write("ratings.dat", text);
  LoadOptions one = headerless(), many = headerless();
  many.threads = 3;
  many.parallel_above_bytes = 1;
  const auto a = load(path, one), b = load(path, many);
  REQUIRE(a.size() == 20000u);
  CHECK(a == b);
  CHECK(a.front() == Row{"0", "0", 1});

  SECTION("an error late in the file names its line, whoever parsed it") {
    std::string bad = text;
    const std::size_t line_19000 = [&] {
      std::size_t at = 0;
      for (int k = 1; k < 19000; ++k) at = bad.find('\n', at) + 1;
      return at;
    }();
    bad.insert(bad.find("::", line_19000) + 2, ",");       // a stray comma in the item field
    bad.replace(bad.find("\n", line_19000) - 5, 2, ",,");  // and in the timestamp
    const std::string p = dir.write("bad.dat", bad);
    for (const LoadOptions& o : {one, many}) {
      std::vector<std::int64_t> times;
      const auto e = error_from([&] { load(p, o, &times); });
      REQUIRE(e);
      CHECK(e->line() == 19000u);
      CHECK_THAT(e->message(), Contains("is not a whole number"));
    }
  }
}

TEST_CASE("layout mistakes are refused with the file and line") {
  TempDir dir;
  SECTION("a '::' row with a stray comma") {
    const std::string p = dir.write("ratings.dat", "1::10::5::978300760\n2::20::3,5::978300761\n");
    const auto e = error_from([&] { load(p, headerless()); });
    REQUIRE(e);
    CHECK(e->file() == p);
    CHECK(e->line() == 2u);
    CHECK_THAT(e->message(), Contains("rating '3,5' is not a number"));
  }
  SECTION("a row with more fields than the first") {
    const std::string p = dir.write("u.data", "1\t10\t5\t97\n2\t20\t3\t98\t7\n");
    const auto e = error_from([&] { load(p, headerless()); });
    REQUIRE(e);
    CHECK(e->line() == 2u);
    CHECK_THAT(e->message(), Contains("more fields on this line than on the first line"));
  }
  SECTION("a row with fewer fields than --columns needs") {
    LoadOptions o = headerless();
    o.layout.positions = recsys::parse_column_order("user,skip,item,rating");
    const auto e = error_from([&] { load(dir.write("short.csv", "1,2,3\n"), o); });
    REQUIRE(e);
    CHECK(e->line() == 1u);
    CHECK_THAT(e->message(), Contains("too few fields"));
  }
  SECTION("an empty headerless file") {
    const auto e = error_from([&] { load(dir.write("empty.dat", "\n\n"), headerless()); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("empty file: expected rows of ratings"));
  }
  SECTION("a headerless file read as if it had a header says how to read it") {
    const auto e = error_from([&] { load(dir.write("u.data", written("\t", ""))); });
    REQUIRE(e);
    CHECK(e->line() == 1u);
    CHECK_THAT(e->message(), Contains("needs --no-header"));
  }
}

TEST_CASE("gzip files are read as their text, and damaged ones refused") {
  TempDir dir;
  const std::string text = written(",", "userId,movieId,rating,timestamp");
  const std::string gz = gzip(text);
  REQUIRE(gz.compare(0, 2, "\x1f\x8b") == 0);
  CHECK(load(dir.write("ratings.csv.gz", gz)) == kRows);
  // What the file holds decides, not its name.
  CHECK(load(dir.write("ratings.csv", gz)) == kRows);
  CHECK(load(dir.write("u.data.gz", gzip(written("\t", ""))), headerless()) == kRows);

  SECTION("a truncated file") {
    const auto e = error_from([&] { load(dir.write("cut.csv.gz", gz.substr(0, gz.size() / 2))); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("truncated"));
  }
  SECTION("a damaged file") {
    std::string bad = gz;
    bad[bad.size() - 6] = static_cast<char>(bad[bad.size() - 6] ^ 0x55);  // the CRC
    const auto e = error_from([&] { load(dir.write("bad.csv.gz", bad)); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("gzip"));
  }
  SECTION("gzip inside gzip") {
    const auto e = error_from([&] { load(dir.write("twice.gz", gzip(gz))); });
    REQUIRE(e);
    CHECK_THAT(e->message(), Contains("gzip-compressed twice"));
  }
}

TEST_CASE("recsys train reads every layout, gzip and standard input") {
  TempDir dir;
  std::string text;  // enough rows for a split: 40 users x 12 movies
  for (int u = 0; u < 40; ++u)
    for (int i = 0; i < 12; ++i)
      text += std::to_string(u) + "::" + std::to_string(100 + (u * 5 + i * 3) % 37) +
              "::" + std::to_string(1 + (u + i) % 5) + "::" + std::to_string(1000 + i) + "\n";
  const std::string dat = dir.write("ratings.dat", text);
  const std::string gz = dir.write("ratings.dat.gz", gzip(text));
  const std::string model = dir.file("m.model");
  const std::string common = " --no-header --epochs 2 --model " + q(model);

  // The same rows in the same order give the same model, wherever they came from.
  auto items_after = [&](const hardening::Result& r) {
    INFO(r.err);
    REQUIRE(r.code == 0);
    return run_recsys("export --what items --model " + q(model)).out;
  };
  const auto from_file = run_recsys("train " + q(dat) + common + " --threads 1");
  CHECK_THAT(from_file.err, Contains("fields separated by '::'"));
  const std::string items = items_after(from_file);
  REQUIRE(items.size() > 100);
  CHECK(items_after(run_recsys("train " + q(gz) + common + " --threads 1")) == items);
  const auto from_stdin =
      shell("cat " + q(gz) + " | RECSYS train -" + common + " --threads 1 --sep ::");
  CHECK_THAT(from_stdin.err, Contains("standard input"));
  CHECK(items_after(from_stdin) == items);
  // metrics --ratings reads the same layouts, from standard input too.
  const auto m = shell("cat " + q(dat) +
                       " | RECSYS metrics --ranking --ratings - --no-header --model " + q(model));
  INFO(m.err);
  CHECK(m.code == 0);
  CHECK_THAT(m.out, Contains("ndcg_at_k"));

  SECTION("empty standard input") {
    check_failure(shell("RECSYS train - --epochs 2 --model " + q(dir.file("e.model"))), 2,
                  "-:", {"standard input is empty"});
    CHECK_FALSE(std::filesystem::exists(dir.file("e.model")));
  }
  SECTION("layout options that contradict each other") {
    check_failure(run_recsys("train " + q(dat) + " --columns user,item,rating --model " +
                             q(dir.file("x.model"))),
                  2, "", {"add --no-header"});
    check_failure(run_recsys("train " + q(dat) + " --no-header --user-col u --model " +
                             q(dir.file("x.model"))),
                  2, "", {"--user-col finds a column by its name"});
    check_failure(run_recsys("train " + q(dat) + " --sep '|' --model " + q(dir.file("x.model"))), 2,
                  "", {"--sep '|'"});
  }
  SECTION("a stray comma in a '::' file") {
    const std::string bad = dir.write("bad.dat", text + "7::100::4,5::1000\n");
    check_failure(run_recsys("train " + q(bad) + common), 2,
                  bad + ":481:", {"rating '4,5' is not a number"});
  }
  SECTION("a truncated gzip file") {
    const std::string whole = gzip(text);
    const std::string cut = dir.write("cut.dat.gz", whole.substr(0, whole.size() - 20));
    check_failure(run_recsys("train " + q(cut) + common), 2, cut + ":", {"truncated"});
  }
}

TEST_CASE("a pipe of gzip data is read as its text") {
  TempDir dir;
  const std::string gz =
      dir.write("u.data.gz", gzip(written(",", "userId,movieId,rating,timestamp")));
  const auto r =
      shell("RECSYS train <(cat " + q(gz) + ") --epochs 2 --model " + q(dir.file("m.model")));
  INFO(r.err);
  CHECK(r.code == 0);
}
