#include "recsys/output/progress_line.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace recsys {

std::string clock_duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  char buf[48];
  if (h > 0)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  return buf;
}

namespace {

double three_figures(double n) {
  if (!(n > 0)) return 0;
  const double unit = std::pow(10.0, std::floor(std::log10(n)) - 2);
  return std::round(n / unit) * unit;
}

}  // namespace

std::string short_count(double n) {
  static constexpr const char* kPrefix[] = {"", " k", " M", " G"};
  // Rounded before the prefix is chosen, so 999.6 k shows as 1.00 M, not 1000 k.
  double shown = three_figures(n);
  int p = 0;
  while (p < 3 && shown >= 1000) shown = three_figures(shown / 1000), ++p;
  char buf[32];
  const int decimals = p == 0 || shown >= 100 ? 0 : shown >= 10 ? 1 : 2;
  std::snprintf(buf, sizeof buf, "%.*f%s", decimals, shown, kPrefix[p]);
  return buf;
}

std::string progress_line(const TrainingProgress& p) {
  constexpr int kWidth = 24;
  const int epochs = std::max(p.epochs, 1);
  const double done =
      std::clamp((p.epoch - 1 + std::clamp(p.epoch_fraction, 0.0, 1.0)) / epochs, 0.0, 1.0);
  const int filled = static_cast<int>(done * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const double rows = done * epochs * static_cast<double>(p.rows_per_epoch);
  const bool measured = p.seconds > 0 && done > 0;
  char pct[16];
  std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(done * 100));
  return "epoch " + std::to_string(p.epoch) + "/" + std::to_string(epochs) + " [" + bar + "] " +
         pct + "  " + (measured ? short_count(rows / p.seconds) : std::string("--")) +
         " ratings/s  ETA " + (measured ? clock_duration(p.seconds * (1 - done) / done) : "--");
}

}  // namespace recsys
