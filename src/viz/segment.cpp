#include "recsys/viz/segment.hpp"

#include <algorithm>
#include <cmath>

namespace recsys {
namespace {

// Sign of the turn a -> b -> c: positive counter-clockwise, 0 when collinear.
double turn(double ax, double ay, double bx, double by, double cx, double cy) {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

// Whether c, known to be collinear with a and b, lies within their bounding box.
bool within(double ax, double ay, double bx, double by, double cx, double cy) {
  return std::min(ax, bx) <= cx && cx <= std::max(ax, bx) && std::min(ay, by) <= cy &&
         cy <= std::max(ay, by);
}

double point_segment_distance(double px, double py, const Segment& s) {
  const double dx = s.x2 - s.x1, dy = s.y2 - s.y1;
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((px - s.x1) * dx + (py - s.y1) * dy) / length2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(px - (s.x1 + t * dx), py - (s.y1 + t * dy));
}

}  // namespace

double distance_to_box(double x, double y, const Box& b) {
  return std::hypot(x - std::clamp(x, b.x, b.right()), y - std::clamp(y, b.y, b.bottom()));
}

bool segments_meet(const Segment& a, const Segment& b) {
  const double d1 = turn(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1);
  const double d2 = turn(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2);
  const double d3 = turn(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1);
  const double d4 = turn(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
    return true;
  return (d1 == 0 && within(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1)) ||
         (d2 == 0 && within(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2)) ||
         (d3 == 0 && within(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1)) ||
         (d4 == 0 && within(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2));
}

double segment_distance(const Segment& a, const Segment& b) {
  if (segments_meet(a, b)) return 0;
  return std::min({point_segment_distance(a.x1, a.y1, b), point_segment_distance(a.x2, a.y2, b),
                   point_segment_distance(b.x1, b.y1, a), point_segment_distance(b.x2, b.y2, a)});
}

bool segment_meets_box(const Segment& s, const Box& b) {
  // Liang-Barsky: clip the parameter range [0, 1] against each slab.
  double t0 = 0, t1 = 1;
  const double dx = s.x2 - s.x1, dy = s.y2 - s.y1;
  const auto clip = [&](double p, double q) {
    if (p == 0) return q >= 0;  // parallel to this edge: inside its slab or never
    const double t = q / p;
    if (p < 0)
      t0 = std::max(t0, t);
    else
      t1 = std::min(t1, t);
    return t0 <= t1;
  };
  return clip(-dx, s.x1 - b.x) && clip(dx, b.right() - s.x1) && clip(-dy, s.y1 - b.y) &&
         clip(dy, b.bottom() - s.y1);
}

}  // namespace recsys
