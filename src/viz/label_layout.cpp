#include "recsys/viz/label_layout.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "recsys/util/rng.hpp"

namespace recsys {
namespace {

// Labels keep this much air between each other, so that text never touches.
constexpr double kPad = 1.0;
// The margin by which the leader rules hold (leaders apart, a touching label
// nearer its own point than any other), so that the SVG's coordinates,
// rounded to 0.1 px, keep them too.
constexpr double kClear = 1.0;
// A leader needed although another place would touch the point costs as
// much as this much overlap (px^2) in the first step.
constexpr double kLeaderCost = 40;

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

  // A label needs a leader when it is too far from its point to touch it, or
  // when another point is as near, which would leave the reader guessing.
  const auto leader_for = [&](std::size_t i, const Box& b) -> std::optional<Segment> {
    const double ax = in.anchor_x[i], ay = in.anchor_y[i];
    const double own = distance_to_box(ax, ay, b);
    bool needed = own > in.touch_distance();
    for (std::size_t j = 0; j < n && !needed; ++j)
      needed = j != i && distance_to_box(in.anchor_x[j], in.anchor_y[j], b) < own + kClear;
    if (!needed) return std::nullopt;
    return Segment{ax, ay, std::clamp(ax, b.x, b.right()), std::clamp(ay, b.y, b.bottom())};
  };

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
    double c = rank * 0.5 + (leader_for(i, b) ? kLeaderCost : 0.0);
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

  // Settling: each label in turn must keep every rule against every point
  // and against the labels placed so far: clear of them, its leader (when
  // it needs one) clear of their boxes and leaders, and theirs of its box. One
  // that does not takes the nearest such spot on rings of growing distance
  // around its point. Every pair is checked when the later of its labels is
  // placed, so the rules hold between the labels settled this way by
  // construction. Points with the most neighbours go first: their leaders,
  // if they need any, radiate out of the crowd before other labels can wall
  // it in.
  std::vector<std::size_t> neighbours(n, 0);
  std::deque<std::size_t> queue;
  for (std::size_t i = 0; i < n; ++i) {
    queue.push_back(i);
    for (std::size_t j = 0; j < n; ++j)
      if (j != i && std::hypot(in.anchor_x[i] - in.anchor_x[j], in.anchor_y[i] - in.anchor_y[j]) <
                        4 * in.height[i])
        ++neighbours[i];
  }
  std::stable_sort(queue.begin(), queue.end(),
                   [&](std::size_t a, std::size_t b) { return neighbours[a] > neighbours[b]; });
  std::vector<char> placed(n, 0);
  const auto clear_of_points = [&](const Box& b) {
    if (!b.inside(in.bounds)) return false;
    const Box p = padded(b);
    for (const Box& m : out.markers)
      if (p.overlaps(m)) return false;
    return true;
  };
  const auto is_free = [&](const Box& b, std::size_t i) {
    if (!clear_of_points(b)) return false;
    const Box p = padded(b);
    for (std::size_t j = 0; j < n; ++j)
      if (placed[j] && j != i && p.overlaps(out.labels[j])) return false;
    return true;
  };
  out.leaders.assign(n, std::nullopt);
  // Whether label i at b (with leader `lead`) and placed label j break a
  // rule between them.
  // Leaders from points on one spot meet there whatever the layout does, so
  // only leaders from distinct points count as crossing.
  const auto conflict = [&](const Box& p, const std::optional<Segment>& lead, std::size_t j) {
    const auto& other = out.leaders[j];
    return p.overlaps(out.labels[j]) || (other && segment_meets_box(*other, p)) ||
           (lead && segment_meets_box(*lead, padded(out.labels[j]))) ||
           (lead && other && std::hypot(lead->x1 - other->x1, lead->y1 - other->y1) >= kClear &&
            segment_distance(*lead, *other) < kClear);
  };
  // `strict` also keeps leaders off other points, which would seem to be
  // what they name; inside a dense cluster no leader can, so that rule gives
  // way first.
  const auto keeps_rules = [&](const Box& b, std::size_t i, bool strict) {
    if (!clear_of_points(b)) return false;
    const Box p = padded(b);
    const std::optional<Segment> lead = leader_for(i, b);
    if (lead && strict)
      for (std::size_t k = 0; k < n; ++k)
        if (k != i && segment_meets_box(*lead, padded(out.markers[k]))) return false;
    for (std::size_t j = 0; j < n; ++j)
      if (placed[j] && j != i && conflict(p, lead, j)) return false;
    return true;
  };
  // How many placed labels label i at b breaks a rule with, counting up to `stop`.
  const auto conflicts = [&](const Box& b, std::size_t i, std::size_t stop) {
    const Box p = padded(b);
    const std::optional<Segment> lead = leader_for(i, b);
    std::size_t count = 0;
    for (std::size_t j = 0; j < n && count < stop; ++j)
      if (placed[j] && j != i && conflict(p, lead, j)) ++count;
    return count;
  };
  // Distance from a label's point to the nearest point of its box.
  const auto distance = [&](std::size_t i, const Box& b) {
    return distance_to_box(in.anchor_x[i], in.anchor_y[i], b);
  };
  // The nearest spot within `limit` of the point that `fits`, or none.
  // The way out of each point's crowd: away from its near neighbours,
  // weighted by closeness. Labels sent that way get leaders that fan out
  // like spokes, which seldom cross.
  std::vector<double> outward(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double vx = 0, vy = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const double dx = in.anchor_x[i] - in.anchor_x[j], dy = in.anchor_y[i] - in.anchor_y[j];
      const double d2 = dx * dx + dy * dy;
      if (j != i && d2 > 0 && d2 < 64 * in.height[i] * in.height[i]) vx += dx / d2, vy += dy / d2;
    }
    if (vx != 0 || vy != 0) outward[i] = std::atan2(vy, vx);
  }
  // Calls visit(box) for the spots around point i, nearest first, until it
  // returns true; returns that box, or none.
  const auto nearest = [&](std::size_t i, double limit, const auto& visit) -> std::optional<Box> {
    constexpr double kPi = 3.14159265358979323846;
    // First the places touching the point: the eight of the first step, then
    // each side's box slid along it, which finds room between close points.
    for (int k = 0; k < kCandidates; ++k)
      if (const Box b = candidate(i, k); visit(b)) return b;
    const double ax = in.anchor_x[i], ay = in.anchor_y[i], w = in.width[i], h = in.height[i];
    const double e = r + in.gap;
    for (const double t : {-0.5, 0.5, -1.0, 1.0}) {
      const double dy = t * (h / 2 - 2), dx = t * (w / 2 - 2);
      for (const Box& b :
           {Box{ax + e, ay - h / 2 + dy, w, h}, Box{ax - e - w, ay - h / 2 + dy, w, h},
            Box{ax - w / 2 + dx, ay - e - h, w, h}, Box{ax - w / 2 + dx, ay + e, w, h}})
        if (visit(b)) return b;
    }
    // Fine steps near the point, where a label can still touch it.
    for (double ring = 0; ring <= limit; ring += ring < 12 ? 2 : 4) {
      // 16 directions, 32 further out where they lie further apart, nearest
      // the way out first; the label's nearest corner or edge midpoint sits
      // `ring` away.
      const int directions = ring < 40 ? 16 : 32;
      for (int k = 0; k < directions; ++k) {
        const int turn = k % 2 ? (k + 1) / 2 : -(k / 2);
        const double angle = outward[i] + turn * 2 * kPi / directions;
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
        if (visit(b)) return b;
      }
    }
    return std::nullopt;
  };
  const double reach = std::max(in.bounds.width, in.bounds.height);
  // Labels no spot suits are set clear of the points for now, and left to the repair.
  std::vector<std::size_t> pending;
  while (!queue.empty()) {
    const std::size_t i = queue.front();
    queue.pop_front();
    // Where repulsion left it, if it touches its point there; else the
    // nearest spot that keeps every rule, touching ones first.
    if (leader_for(i, out.labels[i]) || !keeps_rules(out.labels[i], i, true)) {
      std::optional<Box> b;
      for (const bool strict : {true, false})
        if (!b) b = nearest(i, reach, [&](const Box& c) { return keeps_rules(c, i, strict); });
      if (!b) {
        pending.push_back(i);
        b = nearest(i, reach, [&](const Box& c) { return is_free(c, i); });
        if (!b) b = nearest(i, reach, clear_of_points);
      }
      if (b) out.labels[i] = *b;
    }
    out.leaders[i] = leader_for(i, out.labels[i]);
    placed[i] = 1;
  }

  // Repair ("min-conflicts"): while some leader crosses a label or another
  // leader, one of the labels involved, drawn at random, moves to the free
  // spot near its point whose leader crosses the fewest (the nearest with
  // none, when there is one). Greedy settling can wall a dense cluster in;
  // this undoes it a label at a time. Labels never overlap on the way, and
  // the best state seen is kept.
  if (!pending.empty()) {
    Rng rng(1);  // fixed: the same input gives the same map
    const double repair_reach = std::min(reach, 300.0);
    const std::size_t budget = 10 * n + 100;
    const auto broken_labels = [&] {
      std::vector<std::size_t> broken;
      for (std::size_t i = 0; i < n; ++i)
        if (conflicts(out.labels[i], i, 1) > 0) broken.push_back(i);
      return broken;
    };
    // Two leaders that cross usually part when their labels trade places
    // (each box keeps the side of the spot it takes), which no single move
    // finds when both spots are the only free ones.
    const auto try_swap = [&](std::size_t i) {
      const auto moved = [&](std::size_t from, std::size_t to) {
        Box b = out.labels[from];
        const bool left_of_point = b.right() <= in.anchor_x[from];
        b.x = left_of_point ? b.right() - in.width[to] : b.x;
        b.width = in.width[to];
        return b;
      };
      const std::size_t before_i = conflicts(out.labels[i], i, n);
      for (std::size_t j = 0; j < n; ++j) {
        if (j == i || !conflict(padded(out.labels[i]), out.leaders[i], j)) continue;
        const Box bi = moved(j, i), bj = moved(i, j);
        const Box old_i = out.labels[i], old_j = out.labels[j];
        const std::size_t before = before_i + conflicts(old_j, j, n);
        placed[i] = placed[j] = 0;
        const bool free = is_free(bi, i) && is_free(bj, j) && !padded(bi).overlaps(bj);
        placed[i] = placed[j] = 1;
        if (!free) continue;
        out.labels[i] = bi, out.leaders[i] = leader_for(i, bi);
        out.labels[j] = bj, out.leaders[j] = leader_for(j, bj);
        if (conflicts(bi, i, n) + conflicts(bj, j, n) < before) return true;
        out.labels[i] = old_i, out.leaders[i] = leader_for(i, old_i);
        out.labels[j] = old_j, out.leaders[j] = leader_for(j, old_j);
      }
      return false;
    };
    std::vector<std::size_t> broken = broken_labels();
    std::vector<Box> best_labels = out.labels;
    std::size_t best_broken = broken.size();
    // It stops when the crossings have not gone down for a while: what is
    // left then is seldom undone by more of the same.
    std::size_t last_gain = 0;
    for (std::size_t step = 0; step < budget && !broken.empty() && step - last_gain < 2 * n + 20;
         ++step) {
      const std::size_t i = broken[rng.below(broken.size())];
      std::size_t best = n + 1;
      std::vector<Box> choices;
      nearest(i, repair_reach, [&](const Box& c) {
        if (!is_free(c, i)) return false;
        const std::size_t k = conflicts(c, i, best + 1);
        if (k < best)
          best = k, choices.assign(1, c);
        else if (k == best && choices.size() < 4)
          choices.push_back(c);
        return best == 0;
      });
      if (best > 0 && try_swap(i)) {
      } else if (!choices.empty()) {
        out.labels[i] = best == 0 ? choices.front() : choices[rng.below(choices.size())];
        out.leaders[i] = leader_for(i, out.labels[i]);
      }
      broken = broken_labels();
      if (broken.size() < best_broken)
        best_broken = broken.size(), best_labels = out.labels, last_gain = step;
    }
    out.labels = best_labels;
    for (std::size_t i = 0; i < n; ++i) out.leaders[i] = leader_for(i, out.labels[i]);
    out.unresolved = best_broken;
  }
  // Pulling back: repulsion and settling can leave a label far from its
  // point (a long leader) although a nearer spot is free by now, or one that
  // touches its point is. Each move keeps every rule against all the other
  // labels, so the layout stays valid.
  if (out.unresolved == 0)
    for (int pass = 0; pass < 3; ++pass) {
      bool moved = false;
      for (std::size_t i = 0; i < n; ++i) {
        if (!out.leaders[i]) continue;
        const double d = distance(i, out.labels[i]);
        std::optional<Box> b = nearest(i, in.touch_distance() - r - in.gap, [&](const Box& c) {
          return !leader_for(i, c) && keeps_rules(c, i, true);
        });
        if (!b && d > in.touch_distance() + 2)
          b = nearest(i, d - r - in.gap - 4, [&](const Box& c) {
            return distance(i, c) < d - 1 && keeps_rules(c, i, true);
          });
        if (b) {
          out.labels[i] = *b;
          out.leaders[i] = leader_for(i, *b);
          moved = true;
        }
      }
      if (!moved) break;
    }
  return out;
}

}  // namespace recsys
