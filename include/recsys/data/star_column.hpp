#pragma once
// The rating of every row, a byte each: a ratings file uses few distinct
// values (a half-star scale has ten), so each row holds the index of its value
// in a codebook of at most 256. A file with more distinct values than that
// (play counts, continuous scores) switches the column to a float per row, so
// no value is ever rounded. Either way a row reads back the exact float it
// was given.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace recsys {

class StarColumn {
 public:
  static constexpr std::size_t kMostCodes = 256;

  StarColumn() = default;
  explicit StarColumn(std::span<const float> values);

  std::size_t size() const { return coded_ ? codes_.size() : raw_.size(); }
  bool empty() const { return size() == 0; }
  float operator[](std::size_t k) const { return coded_ ? book_[codes_[k]] : raw_[k]; }

  void reserve(std::size_t n);
  void push(float value) {
    if (coded_) {
      const int code = find_or_add(value);
      if (code >= 0) {
        codes_.push_back(static_cast<std::uint8_t>(code));
        return;
      }
      switch_to_floats();
    }
    raw_.push_back(value);
  }
  // Every row of other after this column's, in order; other's codes are
  // translated once per codebook entry rather than looked up per row.
  void append(const StarColumn& other);
  // Row `to` takes row `from`'s value (to <= from when compacting).
  void copy_row(std::size_t to, std::size_t from) {
    if (coded_)
      codes_[to] = codes_[from];
    else
      raw_[to] = raw_[from];
  }
  void swap_rows(std::size_t a, std::size_t b);
  void resize(std::size_t n);      // only to shrink
  void release_unused_capacity();  // see keep_rows.hpp
  void clear_and_free();

  // The representation, for loops that read it directly (the training kernel).
  bool coded() const { return coded_; }
  std::span<const std::uint8_t> codes() const { return codes_; }
  std::span<std::uint8_t> codes() { return codes_; }
  const float* codebook() const { return book_.data(); }
  std::size_t codebook_size() const { return book_size_; }
  std::span<const float> floats() const { return raw_; }
  std::span<float> floats() { return raw_; }

  // f(row, value) for every row in order, the representation tested once
  // rather than per row.
  template <typename F>
  void for_each_value(F&& f) const {
    if (coded_)
      for (std::size_t k = 0; k < codes_.size(); ++k) f(k, book_[codes_[k]]);
    else
      for (std::size_t k = 0; k < raw_.size(); ++k) f(k, raw_[k]);
  }
  // The smallest and largest value of any row ({+inf, -inf} when empty).
  std::pair<float, float> min_max() const;

  // Reading every row in order: for (const float r : column).
  class Iterator {
   public:
    Iterator(const StarColumn* column, std::size_t row) : column_(column), row_(row) {}
    float operator*() const { return (*column_)[row_]; }
    Iterator& operator++() {
      ++row_;
      return *this;
    }
    bool operator==(const Iterator& other) const { return row_ == other.row_; }

   private:
    const StarColumn* column_;
    std::size_t row_;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, size()}; }

  std::vector<float> to_vector() const;
  std::size_t bytes_per_row() const { return coded_ ? 1 : sizeof(float); }

 private:
  int find_or_add(float value);  // -1 when the codebook is full
  void switch_to_floats();

  bool coded_ = true;
  std::vector<std::uint8_t> codes_;
  std::vector<float> raw_;
  std::array<float, kMostCodes> book_{};
  std::size_t book_size_ = 0;
  // Open addressing from a value's bits to its code + 1 (0 = empty): twice
  // the codebook's size keeps probes short.
  std::array<std::uint16_t, 2 * kMostCodes> slot_{};
};

bool operator==(const StarColumn& a, const StarColumn& b);
bool operator==(const StarColumn& a, const std::vector<float>& b);

}  // namespace recsys
