#include "recsys/viz/label_layout.hpp"

#include <algorithm>
#include <cmath>

namespace recsys {
namespace {

// Labels keep this much air between each other, so that text never touches.
constexpr double kPad = 1.0;

Box padded(const Box& b) {
  return {b.x - kPad, b.y - kPad, b.width + 2 * kPad, b.height + 2 * kPad};
}

void clamp_into(Box& b, const Box& bounds) {
  b.x = std::clamp(b.x, bounds.x, std::max(bounds.x, bounds.right() - b.width));
  b.y = std::clamp(b.y, bounds.y, std::max(bounds.y, bounds.bottom() - b.height));
}

// Moves a (and b, when given) apart along the axis of smaller overlap, the
// cheapest way to separate two rectangles; `share` is a's part of the move.
void separate(Box& a, Box* b, const Box& other, double share, std::size_t tie) {
  const double ox = std::min(a.right(), other.right()) - std::max(a.x, other.x);
  const double oy = std::min(a.bottom(), other.bottom()) - std::max(a.y, other.y);
  if (ox <= 0 || oy <= 0) return;
  // The direction comes from the centres; exact ties alternate by index so
  // that two labels stacked on the same spot still part.
  const auto direction = [&](double mine, double theirs) {
    if (mine != theirs) return mine < theirs ? -1.0 : 1.0;
    return tie % 2 ? 1.0 : -1.0;
  };
  if (ox < oy) {
    const double d = direction(a.centre_x(), other.centre_x()) * (ox + 0.01);
    a.x += d * share;
    if (b) b->x -= d * (1 - share);
  } else {
    const double d = direction(a.centre_y(), other.centre_y()) * (oy + 0.01);
    a.y += d * share;
    if (b) b->y -= d * (1 - share);
  }
}

}  // namespace

LabelLayout place_labels(const LabelLayoutInput& in) {
  const std::size_t n = in.anchor_x.size();
  const double r = in.marker_radius;
  LabelLayout out;
  for (std::size_t i = 0; i < n; ++i)
    out.markers.push_back({in.anchor_x[i] - r, in.anchor_y[i] - r, 2 * r, 2 * r});

  // Candidate places touching the point, in order of preference: right,
  // left, the four corners, above, below. A small rank penalty keeps the
  // right-hand side when it is free, so most labels read the same way.
  const auto candidate = [&](std::size_t i, int k) {
    const double ax = in.anchor_x[i], ay = in.anchor_y[i], w = in.width[i], h = in.height[i];
    const double e = r + in.gap;
    const double c = r + in.gap / 2;  // corners sit closer: the diagonal adds its own distance
    switch (k) {
      case 0:
        return Box{ax + e, ay - h / 2, w, h};
      case 1:
        return Box{ax - e - w, ay - h / 2, w, h};
      case 2:
        return Box{ax + c, ay - c - h, w, h};
      case 3:
        return Box{ax + c, ay + c, w, h};
      case 4:
        return Box{ax - c - w, ay - c - h, w, h};
      case 5:
        return Box{ax - c - w, ay + c, w, h};
      case 6:
        return Box{ax - w / 2, ay - e - h, w, h};
      default:
        return Box{ax - w / 2, ay + e, w, h};
    }
  };
  constexpr int kCandidates = 8;
  const auto overlap_area = [](const Box& a, const Box& b) {
    const double ox = std::min(a.right(), b.right()) - std::max(a.x, b.x);
    const double oy = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
    return ox > 0 && oy > 0 ? ox * oy : 0.0;
  };
  // Overlap with the other labels as they stand, with the points (weighted:
  // a hidden point is worse than touching text) and with the outside.
  const auto cost = [&](std::size_t i, const Box& b, int rank) {
    const Box p = padded(b);
    double c = rank * 0.5;
    for (std::size_t j = 0; j < out.labels.size(); ++j)
      if (j != i) c += overlap_area(p, out.labels[j]);
    for (const Box& m : out.markers) c += 4 * overlap_area(p, m);
    const Box& o = in.bounds;
    c += 50 *
         (std::max(0.0, o.x - b.x) + std::max(0.0, b.right() - o.right()) +
          std::max(0.0, o.y - b.y) + std::max(0.0, b.bottom() - o.bottom())) *
         b.height;
    return c;
  };
  std::vector<int> choice(n, 0);
  for (std::size_t i = 0; i < n; ++i) out.labels.push_back(candidate(i, 0));
  // Local search: each label in turn takes its cheapest candidate given the
  // others; a sweep without a change is a local optimum.
  for (int sweep = 0; sweep < 50; ++sweep) {
    bool changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      int best = choice[i];
      double best_cost = cost(i, out.labels[i], choice[i]);
      for (int k = 0; k < kCandidates; ++k) {
        const double c = cost(i, candidate(i, k), k);
        if (c < best_cost - 1e-9) best = k, best_cost = c;
      }
      if (best != choice[i]) {
        choice[i] = best;
        out.labels[i] = candidate(i, best);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (Box& b : out.labels) clamp_into(b, in.bounds);

  // Repulsion: every overlapping pair of labels moves apart by half the
  // overlap each; a label on a point moves off it. Repeated until nothing
  // overlaps or the budget runs out, as each move can create new overlaps.
  for (int round = 0; round < 400; ++round) {
    bool moved = false;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j) {
        if (!padded(out.labels[i]).overlaps(out.labels[j])) continue;
        Box a = padded(out.labels[i]);
        Box b = out.labels[j];
        const Box before = b;
        const double x0 = a.x, y0 = a.y;
        separate(a, &b, before, 0.5, i + j);
        out.labels[i].x += a.x - x0;
        out.labels[i].y += a.y - y0;
        out.labels[j] = b;
        clamp_into(out.labels[i], in.bounds);
        clamp_into(out.labels[j], in.bounds);
        moved = true;
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (!padded(out.labels[i]).overlaps(out.markers[k])) continue;
        Box a = padded(out.labels[i]);
        const double x0 = a.x, y0 = a.y;
        separate(a, nullptr, out.markers[k], 1.0, i + k);
        out.labels[i].x += a.x - x0;
        out.labels[i].y += a.y - y0;
        clamp_into(out.labels[i], in.bounds);
        moved = true;
      }
    }
    if (!moved) break;
  }

  // Settling: each label in turn must be clear of every point and of every
  // label settled before it; one that is not takes the nearest free spot on
  // rings of growing distance around its point. Pairs are then disjoint by
  // construction, whatever repulsion achieved.
  const auto is_free = [&](const Box& b, std::size_t i, std::size_t others_below) {
    if (!b.inside(in.bounds)) return false;
    const Box p = padded(b);
    for (const Box& m : out.markers)
      if (p.overlaps(m)) return false;
    for (std::size_t j = 0; j < others_below; ++j)
      if (j != i && p.overlaps(out.labels[j])) return false;
    return true;
  };
  // Distance from a label's point to the nearest point of its box.
  const auto distance = [&](std::size_t i, const Box& b) {
    const double cx = std::clamp(in.anchor_x[i], b.x, b.right());
    const double cy = std::clamp(in.anchor_y[i], b.y, b.bottom());
    return std::hypot(cx - in.anchor_x[i], cy - in.anchor_y[i]);
  };
  // The nearest free spot within `limit` of the point, checking labels below `others_below`.
  const auto nearest_free = [&](std::size_t i, double limit, std::size_t others_below, Box& found) {
    for (double ring = 0; ring <= limit; ring += 4) {
      // 16 directions; the label's nearest corner or edge midpoint sits `ring` away.
      for (int k = 0; k < 16; ++k) {
        const double angle = k * 3.14159265358979323846 / 8;
        const double dx = std::cos(angle), dy = std::sin(angle);
        const double ex = r + in.gap + ring, ey = r + in.gap / 2 + ring;
        Box b{0, 0, in.width[i], in.height[i]};
        // Right of the point: the box starts there; left: it ends there; else centred.
        b.x = dx > 0.3    ? in.anchor_x[i] + dx * ex
              : dx < -0.3 ? in.anchor_x[i] + dx * ex - b.width
                          : in.anchor_x[i] + dx * ex - b.width / 2;
        b.y = dy > 0.3    ? in.anchor_y[i] + dy * ey
              : dy < -0.3 ? in.anchor_y[i] + dy * ey - b.height
                          : in.anchor_y[i] + dy * ey - b.height / 2;
        if (is_free(b, i, others_below)) {
          found = b;
          return true;
        }
      }
    }
    return false;
  };
  const double reach = std::max(in.bounds.width, in.bounds.height);
  for (std::size_t i = 0; i < n; ++i) {
    if (is_free(out.labels[i], i, i)) continue;
    Box b;
    if (nearest_free(i, reach, i, b))
      out.labels[i] = b;
    else
      ++out.unresolved;
  }
  // Pulling back: repulsion and settling can leave a label far from its
  // point (a long leader line) although a nearer spot is free by now. Each
  // move checks every other label, so the layout stays overlap-free.
  if (out.unresolved == 0)
    for (int pass = 0; pass < 3; ++pass) {
      bool moved = false;
      for (std::size_t i = 0; i < n; ++i) {
        const double d = distance(i, out.labels[i]);
        Box b;
        if (d > r + in.gap + 2 && nearest_free(i, d - r - in.gap - 4, n, b) &&
            distance(i, b) < d - 1) {
          out.labels[i] = b;
          moved = true;
        }
      }
      if (!moved) break;
    }
  return out;
}

}  // namespace recsys
