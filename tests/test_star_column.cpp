// The rating column: a byte per row while the file has at most 256 distinct
// values, a float per row after; every row reads back exactly what was pushed.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "recsys/data/star_column.hpp"

using recsys::StarColumn;

TEST_CASE("star column: half stars take a byte each and read back exactly", "[ratings][stars]") {
  StarColumn c;
  std::vector<float> pushed;
  for (int k = 0; k < 1000; ++k) {
    const float v = 0.5f * float(1 + (k * 7) % 10);
    c.push(v);
    pushed.push_back(v);
  }
  CHECK(c.coded());
  CHECK(c.bytes_per_row() == 1);
  CHECK(c.codebook_size() == 10);
  CHECK(c == pushed);
  CHECK(c.to_vector() == pushed);
  // The codebook holds each value once, in order of first appearance.
  CHECK(c.codebook()[0] == 0.5f);
  CHECK(c.codebook()[1] == 4.0f);
  CHECK(c.codes()[0] == 0);
  CHECK(c.codes()[10] == 0);
}

TEST_CASE("star column: the 257th distinct value switches to floats, losing nothing",
          "[ratings][stars]") {
  StarColumn c;
  std::vector<float> pushed;
  for (int k = 0; k < 256; ++k) pushed.push_back(float(k) * 0.01f - 1.0f);
  for (const float v : pushed) c.push(v);
  for (const float v : pushed) c.push(v);
  REQUIRE(c.coded());
  CHECK(c.codebook_size() == 256);
  c.push(1e6f);  // one value too many
  CHECK_FALSE(c.coded());
  CHECK(c.bytes_per_row() == 4);
  std::vector<float> expected = pushed;
  expected.insert(expected.end(), pushed.begin(), pushed.end());
  expected.push_back(1e6f);
  c.push(3.25f);
  expected.push_back(3.25f);
  CHECK(c == expected);
  CHECK(c.floats().size() == expected.size());
}

TEST_CASE("star column: 0 and -0, tiny and huge values keep their bits", "[ratings][stars]") {
  const std::vector<float> values{0.0f, -0.0f, 1e-38f, -3e38f, 0.1f, 0.1f, -0.0f};
  const StarColumn c(values);
  REQUIRE(c.coded());
  CHECK(c.codebook_size() == 5);
  for (std::size_t k = 0; k < values.size(); ++k) {
    INFO("row " << k);
    CHECK(std::signbit(c[k]) == std::signbit(values[k]));
    CHECK(c[k] == values[k]);
  }
}

TEST_CASE("star column: rows move, swap and shrink in both representations", "[ratings][stars]") {
  for (const bool many : {false, true}) {
    INFO((many ? "floats" : "codes"));
    std::vector<float> values{1, 2, 3, 4, 5};
    if (many)
      for (int k = 0; k < 300; ++k) values.push_back(10.0f + float(k));
    StarColumn c(values);
    CHECK(c.coded() == !many);
    c.swap_rows(0, 4);
    std::swap(values[0], values[4]);
    c.copy_row(1, 3);
    values[1] = values[3];
    CHECK(c == values);
    c.resize(3);
    values.resize(3);
    c.release_unused_capacity();
    CHECK(c == values);
    c.push(2.5f);
    values.push_back(2.5f);
    CHECK(c == values);
    float sum = 0;
    for (const float r : c) sum += r;
    CHECK(sum == values[0] + values[1] + values[2] + values[3]);
  }
}

TEST_CASE("star column: append keeps every value, across codebooks and representations",
          "[ratings][stars]") {
  const auto values_from = [](float first, int count) {
    std::vector<float> v;
    for (int k = 0; k < count; ++k) v.push_back(first + 0.5f * float(k % 40));
    return v;
  };
  // Codes + codes (books in another order), codes + floats, and two books
  // that together hold more than 256 values.
  for (const auto& [a_first, a_count, b_first, b_count] :
       std::vector<std::tuple<float, int, float, int>>{
           {1, 100, 5, 60}, {1, 50, -3, 400}, {0, 300, 7, 20}}) {
    std::vector<float> a = values_from(a_first, a_count), b = values_from(b_first, b_count);
    if (a_count == 300)
      for (int k = 0; k < 300; ++k) a[std::size_t(k)] = float(k);  // 300 distinct: floats
    if (b_count == 400)
      for (int k = 0; k < 400; ++k) b[std::size_t(k)] = 1000.0f + float(k % 230);
    StarColumn column(a), other(b);
    column.append(other);
    std::vector<float> both = a;
    both.insert(both.end(), b.begin(), b.end());
    CHECK(column == both);
  }
  StarColumn x(std::vector<float>{1, 2}), y(std::vector<float>(230, 0.0f));
  for (int k = 0; k < 230; ++k) y.push(100.0f + float(k));  // 231 values, 233 in all
  StarColumn z(std::vector<float>{7, 8, 9});
  for (int k = 0; k < 30; ++k) z.push(-float(k));
  x.append(y);
  x.append(z);  // 233 + 31 > 256: the column turns to floats
  CHECK_FALSE(x.coded());
  CHECK(x.size() == 2 + 460 + 33);
  CHECK(x[0] == 1);
  CHECK(x[2 + 230 + 5] == 105.0f);
  CHECK(x[x.size() - 1] == -29.0f);
}

TEST_CASE("star column: min_max counts only the values rows still hold", "[ratings][stars]") {
  for (const bool many : {false, true}) {
    std::vector<float> values{3, 0.5f, 5, 2};
    if (many)
      for (int k = 0; k < 300; ++k) values.push_back(1.0f + float(k) / 1000.0f);
    StarColumn c(values);
    CHECK(c.min_max() == std::pair(0.5f, 5.0f));
    c.copy_row(1, 0);  // the 0.5 row is gone; its code stays in the book
    c.copy_row(2, 3);  // and the 5
    CHECK(c.min_max() == std::pair(many ? 1.0f : 2.0f, 3.0f));
  }
  const auto [lo, hi] = StarColumn().min_max();
  CHECK(lo > hi);  // empty
}
