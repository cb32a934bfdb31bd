#include "recsys/viz/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace recsys {
namespace {

constexpr double kFont = 12;         // label font size, px
constexpr double kLabelHeight = 15;  // label box height: the font plus its descenders
constexpr double kMarker = 3.5;      // point radius
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

RenderedPlot render_scatter_svg(const ScatterPlot& plot) {
  const std::size_t n = plot.points.size();
  RenderedPlot r;
  // About 40 labels fit a 960 x 720 canvas at 12 px; beyond that the area
  // grows with the count, so the label density stays the same.
  const double scale = std::sqrt(std::max(1.0, static_cast<double>(n) / 40.0));
  r.width = std::round(960 * scale);
  r.height = std::round(720 * scale);
  const Legend legend = make_legend(plot.points);
  const double header = plot.subtitle.empty() ? 52 : 70;
  const double left = 78, right = 24, top = header + (legend.names.empty() ? 0 : 22), bottom = 58;
  r.plot_area = {left, top, r.width - left - right, r.height - top - bottom};
  const Box& area = r.plot_area;

  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const auto& p : plot.points) {
    x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
    y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
  }
  if (n == 0) x_lo = y_lo = -1, x_hi = y_hi = 1;
  // A flat range (one point, or points on a line) still gets a visible span.
  if (!(x_hi > x_lo)) x_lo -= 1, x_hi += 1;
  if (!(y_hi > y_lo)) y_lo -= 1, y_hi += 1;
  // Points keep clear of the frame; the extra room on the right is where the
  // rightmost labels go (they start to the right of their point).
  const double inner_left = area.x + 16,
               inner_right = area.right() - std::min(220.0, area.width * 0.2);
  const double inner_top = area.y + 16, inner_bottom = area.bottom() - 16;
  const auto px = [&](double x) {
    return inner_left + (x - x_lo) / (x_hi - x_lo) * (inner_right - inner_left);
  };
  const auto py = [&](double y) {
    return inner_bottom - (y - y_lo) / (y_hi - y_lo) * (inner_bottom - inner_top);
  };
  // Data values at the frame's edges, for the ticks.
  const double fx_lo = x_lo + (area.x - inner_left) / (inner_right - inner_left) * (x_hi - x_lo);
  const double fx_hi =
      x_lo + (area.right() - inner_left) / (inner_right - inner_left) * (x_hi - x_lo);
  const double fy_lo =
      y_lo + (inner_bottom - area.bottom()) / (inner_bottom - inner_top) * (y_hi - y_lo);
  const double fy_hi = y_lo + (inner_bottom - area.y) / (inner_bottom - inner_top) * (y_hi - y_lo);

  LabelLayoutInput in;
  in.marker_radius = kMarker;
  in.bounds = {area.x + 2, area.y + 2, area.width - 4, area.height - 4};
  for (const auto& p : plot.points) {
    in.anchor_x.push_back(px(p.x));
    in.anchor_y.push_back(py(p.y));
    in.width.push_back(label_width(p.label, kFont) + 2);  // 1 px of air each side
    in.height.push_back(kLabelHeight);
  }
  r.layout = place_labels(in);

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
