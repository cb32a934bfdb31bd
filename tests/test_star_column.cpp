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
