#include "recsys/viz/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace recsys {
namespace {

constexpr double kFont = 12;         // label font size, px
constexpr double kLabelHeight = 15;  // label box height: the font plus its descenders
// How many canvas sizes a crowded map tries (each a quarter larger a side).
constexpr int kGrowthAttempts = 5;
constexpr double kMarker = 3.5;  // point radius
constexpr const char* kMono = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace";
constexpr const char* kSans = "DejaVu Sans, Helvetica, Arial, sans-serif";

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

// Tick positions at 1, 2 or 5 times a power of ten, about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return ticks;
}

std::string tick_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Tableau 10 without its grey, which marks "other".
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#bcbd22", "#17becf"};
constexpr const char* kOther = "#7f7f7f";

struct Legend {
  std::vector<std::string> names, colours;  // in legend order
  std::vector<std::string> point_colour;    // per point
};

// Largest groups first (ties by name), so the colours do not depend on the
// order of the points.
Legend make_legend(const std::vector<ScatterPoint>& points) {
  Legend g;
  std::vector<std::pair<std::string, std::size_t>> sizes;
  for (const auto& p : points) {
    auto it =
        std::find_if(sizes.begin(), sizes.end(), [&](const auto& s) { return s.first == p.group; });
    if (it == sizes.end())
      sizes.emplace_back(p.group, 1);
    else
      ++it->second;
  }
  const bool grouped = !(sizes.size() == 1 && sizes[0].first.empty());
  if (!grouped) {
    g.point_colour.assign(points.size(), kPalette[0]);
    return g;
  }
  std::sort(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  constexpr std::size_t kColours = std::size(kPalette);
  const bool overflow = sizes.size() > kColours;
  for (std::size_t k = 0; k < sizes.size() && k < kColours; ++k) {
    g.names.push_back(sizes[k].first.empty() ? "(none)" : sizes[k].first);
    g.colours.push_back(kPalette[k]);
  }
  if (overflow) {
    g.names.push_back("other");
    g.colours.push_back(kOther);
  }
  for (const auto& p : points) {
    std::string colour = kOther;
    for (std::size_t k = 0; k < sizes.size() && k < kColours; ++k)
      if (sizes[k].first == p.group) colour = kPalette[k];
    g.point_colour.push_back(colour);
  }
  return g;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') break;
        out += c;
    }
  }
  return out;
}

double label_width(std::string_view text, double font_size) {
  return 0.6 * font_size * static_cast<double>(code_points(text));
}

namespace {

// Where the data lands on a canvas of a given size: the frame, the data
// range and its mapping to pixels.
struct Frame {
  double width = 0, height = 0;
  Box area;
  double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;
  double inner_left = 0, inner_right = 0, inner_top = 0, inner_bottom = 0;
  double px(double x) const {
    return inner_left + (x - x_lo) / (x_hi - x_lo) * (inner_right - inner_left);
  }
  double py(double y) const {
    return inner_bottom - (y - y_lo) / (y_hi - y_lo) * (inner_bottom - inner_top);
  }
};

Frame make_frame(const ScatterPlot& plot, double scale, double top) {
  Frame f;
  f.width = std::round(960 * scale);
  f.height = std::round(720 * scale);
  const double left = 78, right = 24, bottom = 58;
  f.area = {left, top, f.width - left - right, f.height - top - bottom};
  f.x_lo = f.y_lo = std::numeric_limits<double>::infinity();
  f.x_hi = f.y_hi = -f.x_lo;
  for (const auto& p : plot.points) {
    f.x_lo = std::min(f.x_lo, p.x), f.x_hi = std::max(f.x_hi, p.x);
    f.y_lo = std::min(f.y_lo, p.y), f.y_hi = std::max(f.y_hi, p.y);
  }
  if (plot.points.empty()) f.x_lo = f.y_lo = -1, f.x_hi = f.y_hi = 1;
  // A flat range (one point, or points on a line) still gets a visible span.
  if (!(f.x_hi > f.x_lo)) f.x_lo -= 1, f.x_hi += 1;
  if (!(f.y_hi > f.y_lo)) f.y_lo -= 1, f.y_hi += 1;
  // Points keep clear of the frame; the extra room on the right is where the
  // rightmost labels go (they start to the right of their point).
  f.inner_left = f.area.x + 16;
  f.inner_right = f.area.right() - std::min(220.0, f.area.width * 0.2);
  f.inner_top = f.area.y + 16;
  f.inner_bottom = f.area.bottom() - 16;
  return f;
}

LabelLayoutInput layout_input(const ScatterPlot& plot, const Frame& f) {
  LabelLayoutInput in;
  in.marker_radius = kMarker;
  in.bounds = {f.area.x + 2, f.area.y + 2, f.area.width - 4, f.area.height - 4};
  for (const auto& p : plot.points) {
    in.anchor_x.push_back(f.px(p.x));
    in.anchor_y.push_back(f.py(p.y));
    in.width.push_back(label_width(p.label, kFont) + 2);  // 1 px of air each side
    in.height.push_back(kLabelHeight);
  }
  return in;
}

}  // namespace

RenderedPlot render_scatter_svg(const ScatterPlot& plot) {
  const std::size_t n = plot.points.size();
  RenderedPlot r;
  const Legend legend = make_legend(plot.points);
  const double header = plot.subtitle.empty() ? 52 : 70;
  const double top = header + (legend.names.empty() ? 0 : 22);
  // About 40 labels fit a 960 x 720 canvas at 12 px; beyond that the area
  // grows with the count, so the label density stays the same. Where the
  // points crowd so that some label finds no place keeping every rule, the
  // canvas grows further (the points spread, the labels keep their size), a
  // quarter at a time, and the layout with the fewest such labels is kept.
  double scale = std::sqrt(std::max(1.0, static_cast<double>(n) / 40.0));
  Frame frame;
  LabelLayoutInput in;
  for (int attempt = 0; attempt < kGrowthAttempts; ++attempt, scale *= 1.25) {
    const Frame f = make_frame(plot, scale, top);
    LabelLayoutInput candidate = layout_input(plot, f);
    LabelLayout layout = place_labels(candidate);
    if (attempt == 0 || layout.unresolved < r.layout.unresolved)
      frame = f, in = std::move(candidate), r.layout = std::move(layout), r.grown = attempt;
    if (r.layout.unresolved == 0) break;
  }
  r.width = frame.width;
  r.height = frame.height;
  r.plot_area = frame.area;
  const Box& area = r.plot_area;
  const auto px = [&](double x) { return frame.px(x); };
  const auto py = [&](double y) { return frame.py(y); };
  // Data values at the frame's edges, for the ticks.
  const double x_lo = frame.x_lo, x_hi = frame.x_hi, y_lo = frame.y_lo, y_hi = frame.y_hi;
  const double inner_left = frame.inner_left, inner_right = frame.inner_right;
  const double inner_top = frame.inner_top, inner_bottom = frame.inner_bottom;
  const double fx_lo = x_lo + (area.x - inner_left) / (inner_right - inner_left) * (x_hi - x_lo);
  const double fx_hi =
      x_lo + (area.right() - inner_left) / (inner_right - inner_left) * (x_hi - x_lo);
  const double fy_lo =
      y_lo + (inner_bottom - area.bottom()) / (inner_bottom - inner_top) * (y_hi - y_lo);
  const double fy_hi = y_lo + (inner_bottom - area.y) / (inner_bottom - inner_top) * (y_hi - y_lo);

  std::string& s = r.svg;
  const std::string w = num(r.width), h = num(r.height);
  s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w + "\" height=\"" + h +
       "\" viewBox=\"0 0 " + w + " " + h + "\">\n";
  s += "<title>" + xml_escape(plot.title) + "</title>\n";
  s += "<rect width=\"" + w + "\" height=\"" + h + "\" fill=\"#ffffff\"/>\n";
  s += "<g font-family=\"" + std::string(kSans) + "\" fill=\"#222222\">\n";
  s += "<text x=\"" + num(area.x) + "\" y=\"28\" font-size=\"17\" font-weight=\"bold\">" +
       xml_escape(plot.title) + "</text>\n";
  if (!plot.subtitle.empty())
    s += "<text x=\"" + num(area.x) + "\" y=\"50\" font-size=\"13\" fill=\"#555555\">" +
         xml_escape(plot.subtitle) + "</text>\n";

  // The legend is a row under the title, where it cannot collide with labels.
  if (!legend.names.empty()) {
    double x = area.x;
    const double y = header;
    for (std::size_t k = 0; k < legend.names.size(); ++k) {
      s += "<circle cx=\"" + num(x + 5) + "\" cy=\"" + num(y - 4) + "\" r=\"" + num(kMarker + 0.5) +
           "\" fill=\"" + legend.colours[k] + "\"/>\n";
      s += "<text x=\"" + num(x + 14) + "\" y=\"" + num(y) + "\" font-size=\"12\">" +
           xml_escape(legend.names[k]) + "</text>\n";
      x += 14 + 0.62 * 12 * static_cast<double>(code_points(legend.names[k])) + 18;
    }
  }

  // Grid and ticks.
  s += "<g font-size=\"11\" fill=\"#666666\">\n";
  for (const double t : nice_ticks(fx_lo, fx_hi, 8)) {
    const double x = px(t);
    if (x < area.x || x > area.right()) continue;
    s += "<line x1=\"" + num(x) + "\" y1=\"" + num(area.y) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(area.bottom()) + "\" stroke=\"#eeeeee\"/>\n";
    s += "<text x=\"" + num(x) + "\" y=\"" + num(area.bottom() + 16) +
         "\" text-anchor=\"middle\">" + tick_text(t) + "</text>\n";
  }
  for (const double t : nice_ticks(fy_lo, fy_hi, 6)) {
    const double y = py(t);
    if (y < area.y || y > area.bottom()) continue;
    s += "<line x1=\"" + num(area.x) + "\" y1=\"" + num(y) + "\" x2=\"" + num(area.right()) +
         "\" y2=\"" + num(y) + "\" stroke=\"#eeeeee\"/>\n";
    s += "<text x=\"" + num(area.x - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
         tick_text(t) + "</text>\n";
  }
  s += "</g>\n";
  s += "<rect x=\"" + num(area.x) + "\" y=\"" + num(area.y) + "\" width=\"" + num(area.width) +
       "\" height=\"" + num(area.height) + "\" fill=\"none\" stroke=\"#999999\"/>\n";
  s += "<text x=\"" + num(area.x + area.width / 2) + "\" y=\"" + num(r.height - 14) +
       "\" font-size=\"13\" text-anchor=\"middle\">" + xml_escape(plot.x_label) + "</text>\n";
  const std::string yc = num(area.y + area.height / 2);
  s += "<text x=\"20\" y=\"" + yc +
       "\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 20 " + yc + ")\">" +
       xml_escape(plot.y_label) + "</text>\n";
  s += "</g>\n";

  // Leader lines, under everything else: the layout says which labels need one.
  // The classes name each kind of shape, so tests can read the geometry back.
  s += "<g stroke=\"#888888\" stroke-width=\"0.8\">\n";
  for (const auto& lead : r.layout.leaders)
    if (lead)
      s += "<line class=\"leader\" x1=\"" + num(lead->x1) + "\" y1=\"" + num(lead->y1) +
           "\" x2=\"" + num(lead->x2) + "\" y2=\"" + num(lead->y2) + "\"/>\n";
  s += "</g>\n";
  s += "<g stroke=\"#ffffff\" stroke-width=\"0.8\">\n";
  for (std::size_t i = 0; i < n; ++i)
    s += "<circle class=\"point\" cx=\"" + num(in.anchor_x[i]) + "\" cy=\"" + num(in.anchor_y[i]) +
         "\" r=\"" + num(kMarker) + "\" fill=\"" + legend.point_colour[i] + "\"/>\n";
  s += "</g>\n";
  // textLength pins each label to the width its box was computed with, so the
  // no-overlap guarantee holds whatever monospace font the viewer picks.
  // Each label sits on a white box (labels never cover a point), so a
  // leader line or grid line passing behind it does not cross the text.
  s += "<g fill=\"#ffffff\" fill-opacity=\"0.85\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    const Box& b = r.layout.labels[i];
    s += "<rect class=\"label\" x=\"" + num(b.x) + "\" y=\"" + num(b.y) + "\" width=\"" +
         num(b.width) + "\" height=\"" + num(b.height) + "\"/>\n";
  }
  s += "</g>\n";
  s += "<g font-family=\"" + std::string(kMono) + "\" font-size=\"" + num(kFont) +
       "\" fill=\"#111111\">\n";
  for (std::size_t i = 0; i < n; ++i) {
    const Box& b = r.layout.labels[i];
    const double text_width = b.width - 2;
    s += "<text x=\"" + num(b.x + 1) + "\" y=\"" + num(b.y + 11.5) + "\"";
    if (text_width > 0)
      s += " textLength=\"" + num(text_width) + "\" lengthAdjust=\"spacingAndGlyphs\"";
    s += ">" + xml_escape(plot.points[i].label) + "</text>\n";
  }
  s += "</g>\n</svg>\n";
  return r;
}

}  // namespace recsys
