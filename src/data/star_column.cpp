#include "recsys/data/star_column.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

#include "keep_rows.hpp"

namespace recsys {
namespace {
std::size_t slot_of_bits(std::uint32_t bits) {
  // Fibonacci hashing: the ten half-star values differ in few high bits.
  return static_cast<std::size_t>((bits * 0x9E3779B1u) >> 23);  // 9 bits: 512 slots
}
}  // namespace

StarColumn::StarColumn(std::span<const float> values) {
  reserve(values.size());
  for (const float v : values) push(v);
}

void StarColumn::reserve(std::size_t n) {
  if (coded_)
    codes_.reserve(n);
  else
    raw_.reserve(n);
}

int StarColumn::find_or_add(float value) {
  const auto bits = std::bit_cast<std::uint32_t>(value);
  static_assert(2 * kMostCodes == 512);
  for (std::size_t s = slot_of_bits(bits);; s = (s + 1) % slot_.size()) {
    if (slot_[s] == 0) {
      if (book_size_ == kMostCodes) return -1;
      book_[book_size_] = value;
      slot_[s] = static_cast<std::uint16_t>(++book_size_);
      return static_cast<int>(book_size_ - 1);
    }
    const int code = slot_[s] - 1;
    if (std::bit_cast<std::uint32_t>(book_[std::size_t(code)]) == bits) return code;
  }
}

void StarColumn::append(const StarColumn& other) {
  if (coded_ && other.coded_) {
    std::array<std::uint8_t, kMostCodes> code_of{};
    bool fits = true;
    for (std::size_t c = 0; c < other.book_size_ && fits; ++c) {
      const int code = find_or_add(other.book_[c]);
      fits = code >= 0;
      code_of[c] = static_cast<std::uint8_t>(code);
    }
    if (fits) {
      for (const auto c : other.codes_) codes_.push_back(code_of[c]);
      return;
    }
  }
  other.for_each_value([&](std::size_t, float value) { push(value); });
}

void StarColumn::switch_to_floats() {
  std::vector<float> raw;
  raw.reserve(std::max(codes_.capacity(), codes_.size() + 1));
  for (const auto c : codes_) raw.push_back(book_[c]);
  std::vector<std::uint8_t>().swap(codes_);
  raw_ = std::move(raw);
  coded_ = false;
}

void StarColumn::swap_rows(std::size_t a, std::size_t b) {
  if (coded_)
    std::swap(codes_[a], codes_[b]);
  else
    std::swap(raw_[a], raw_[b]);
}

void StarColumn::resize(std::size_t n) {
  if (coded_)
    codes_.resize(std::min(n, codes_.size()));
  else
    raw_.resize(std::min(n, raw_.size()));
}

void StarColumn::release_unused_capacity() {
  recsys::release_unused_capacity(codes_);
  recsys::release_unused_capacity(raw_);
}

void StarColumn::clear_and_free() {
  std::vector<std::uint8_t>().swap(codes_);
  std::vector<float>().swap(raw_);
}

std::pair<float, float> StarColumn::min_max() const {
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  const auto widen = [&](float v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  if (!coded_) {
    for (const float v : raw_) widen(v);
    return {lo, hi};
  }
  // Only the codes rows use count: a value can stay in the book after its
  // rows are dropped.
  std::array<bool, kMostCodes> used{};
  for (const auto c : codes_) used[c] = true;
  for (std::size_t c = 0; c < book_size_; ++c)
    if (used[c]) widen(book_[c]);
  return {lo, hi};
}

std::vector<float> StarColumn::to_vector() const {
  std::vector<float> out(size());
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = (*this)[k];
  return out;
}

bool operator==(const StarColumn& a, const StarColumn& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k] != b[k]) return false;
  return true;
}

bool operator==(const StarColumn& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k] != b[k]) return false;
  return true;
}

}  // namespace recsys
