#pragma once
// The rules a labelled map must keep for a reader to tell which point each
// label names, checked on the geometry alone, with geometry of its own (not
// the layout's): no two labels overlap and none covers a point; a label
// without a leader touches its point and is nearer to it than to any other
// point; a leader runs from its point to its label and meets no other label
// and no other leader. (Points share one spot only in degenerate input,
// where no layout can keep the nearest-point rule; the tests plant none.) Also reads that geometry
// back from an SVG written by render_scatter_svg.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "recsys/viz/box.hpp"
#include "recsys/viz/label_layout.hpp"
#include "xml_check.hpp"

namespace label_rules {

struct Line {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};

struct Map {
  std::vector<double> px, py;              // the points
  std::vector<recsys::Box> labels;         // one per point
  std::vector<std::optional<Line>> leads;  // one per point, none where no leader is drawn
  double marker_radius = 3.5;
  double touch = 8.5;  // a label this near its point touches it
  // Coordinates read from an SVG are rounded to 0.1 px.
  double slack = 0;
};

namespace detail {

inline double dist_to_box(double x, double y, const recsys::Box& b) {
  const double dx = std::max({b.x - x, 0.0, x - b.right()});
  const double dy = std::max({b.y - y, 0.0, y - b.bottom()});
  return std::sqrt(dx * dx + dy * dy);
}

inline double cross(double ax, double ay, double bx, double by, double cx, double cy) {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

inline bool on_segment(const Line& s, double x, double y) {
  return std::min(s.x1, s.x2) <= x && x <= std::max(s.x1, s.x2) && std::min(s.y1, s.y2) <= y &&
         y <= std::max(s.y1, s.y2);
}

// Whether two segments share a point (touching counts).
inline bool meet(const Line& a, const Line& b) {
  const double d1 = cross(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1);
  const double d2 = cross(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2);
  const double d3 = cross(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1);
  const double d4 = cross(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2);
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (d1 == 0 && on_segment(b, a.x1, a.y1)) || (d2 == 0 && on_segment(b, a.x2, a.y2)) ||
         (d3 == 0 && on_segment(a, b.x1, b.y1)) || (d4 == 0 && on_segment(a, b.x2, b.y2));
}

// Whether a segment passes strictly inside the box shrunk by `inset`,
// found by walking it in steps of 0.02 px: slow, but too plain to share a
// mistake with the layout's clipping.
inline bool crosses_box(const Line& s, recsys::Box b, double inset) {
  b = {b.x + inset, b.y + inset, b.width - 2 * inset, b.height - 2 * inset};
  if (b.width <= 0 || b.height <= 0) return false;
  const double length = std::hypot(s.x2 - s.x1, s.y2 - s.y1);
  const int steps = static_cast<int>(length / 0.02) + 1;
  for (int k = 0; k <= steps; ++k) {
    const double t = static_cast<double>(k) / steps;
    const double x = s.x1 + t * (s.x2 - s.x1), y = s.y1 + t * (s.y2 - s.y1);
    if (b.x < x && x < b.right() && b.y < y && y < b.bottom()) return true;
  }
  return false;
}

}  // namespace detail

// Every rule the map breaks, one line each; empty when it keeps them all.
inline std::vector<std::string> breaks(const Map& m) {
  using detail::dist_to_box;
  std::vector<std::string> out;
  const auto say = [&](auto&&... parts) {
    std::ostringstream s;
    (s << ... << parts);
    out.push_back(s.str());
  };
  const std::size_t n = m.px.size();
  const double e = m.slack;
  for (std::size_t i = 0; i < n; ++i) {
    const recsys::Box& b = m.labels[i];
    for (std::size_t j = i + 1; j < n; ++j)
      if (b.overlaps(recsys::Box{m.labels[j].x + e, m.labels[j].y + e, m.labels[j].width - 2 * e,
                                 m.labels[j].height - 2 * e}))
        say("labels ", i, " and ", j, " overlap");
    for (std::size_t k = 0; k < n; ++k)
      if (dist_to_box(m.px[k], m.py[k], b) < m.marker_radius - e)
        say("label ", i, " covers point ", k);
    const double own = dist_to_box(m.px[i], m.py[i], b);
    if (!m.leads[i]) {
      if (own > m.touch + e) say("label ", i, " is ", own, " px from its point, with no leader");
      for (std::size_t j = 0; j < n; ++j)
        if (j != i && dist_to_box(m.px[j], m.py[j], b) <= own)
          say("label ", i, " is as near to point ", j, " as to its own, with no leader");
      continue;
    }
    const Line& s = *m.leads[i];
    if (std::hypot(s.x1 - m.px[i], s.y1 - m.py[i]) > e + 1e-9 ||
        dist_to_box(s.x2, s.y2, b) > e + 1e-9)
      say("leader ", i, " does not run from its point to its label");
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      if (detail::crosses_box(s, m.labels[j], e)) say("leader ", i, " crosses label ", j);
      if (j > i && m.leads[j] && detail::meet(s, *m.leads[j]))
        say("leaders ", i, " and ", j, " cross");
    }
  }
  return out;
}

inline Map from_layout(const recsys::LabelLayoutInput& in, const recsys::LabelLayout& out) {
  Map m;
  m.px = in.anchor_x;
  m.py = in.anchor_y;
  m.labels = out.labels;
  for (const auto& lead : out.leaders)
    m.leads.push_back(lead ? std::optional<Line>(Line{lead->x1, lead->y1, lead->x2, lead->y2})
                           : std::nullopt);
  m.marker_radius = in.marker_radius;
  m.touch = in.touch_distance();
  return m;
}

// The points, label boxes and leaders an SVG draws (by their classes); a
// leader belongs to the point it starts from. `touch` as the layout's.
inline Map from_svg(const xml_check::Document& doc, double touch) {
  Map m;
  m.slack = 0.15;
  m.touch = touch;
  const auto num = [](const xml_check::Element* e, const char* name) {
    return std::stod(e->attributes.at(name));
  };
  const auto of_class = [&](const char* tag, const char* cls) {
    std::vector<const xml_check::Element*> found;
    for (const auto* e : doc.all(tag)) {
      const auto it = e->attributes.find("class");
      if (it != e->attributes.end() && it->second == cls) found.push_back(e);
    }
    return found;
  };
  for (const auto* c : of_class("circle", "point")) {
    m.px.push_back(num(c, "cx"));
    m.py.push_back(num(c, "cy"));
    m.marker_radius = num(c, "r");
  }
  for (const auto* r : of_class("rect", "label"))
    m.labels.push_back({num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")});
  m.leads.assign(m.px.size(), std::nullopt);
  for (const auto* l : of_class("line", "leader")) {
    const Line s{num(l, "x1"), num(l, "y1"), num(l, "x2"), num(l, "y2")};
    for (std::size_t k = 0; k < m.px.size(); ++k)
      if (std::abs(s.x1 - m.px[k]) < 0.01 && std::abs(s.y1 - m.py[k]) < 0.01) m.leads[k] = s;
  }
  return m;
}

}  // namespace label_rules
