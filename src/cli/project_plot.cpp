#include "project_plot.hpp"

#include <spdlog/spdlog.h>

#include "recsys/io/atomic_file.hpp"
#include "recsys/viz/svg_plot.hpp"
#include "recsys/viz/svg_to_png.hpp"

namespace recsys::cli {

void write_plot(const TrainedModel& m, const std::vector<std::uint32_t>& chosen,
                const Projection& p, const std::string& what, const PlotFiles& o) {
  ScatterPlot plot;
  plot.title = what + ": item embeddings in 2-D";
  plot.subtitle = m.source.ratings_path + ", preset " + m.settings.preset + ", dim " +
                  std::to_string(m.tables.dim) + "; " + p.method_text;
  plot.x_label = p.x_label;
  plot.y_label = p.y_label;
  for (std::size_t r = 0; r < chosen.size(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    std::string group;
    if (o.color_by == "genre") {
      // The first genre listed: the synthetic sample lists the primary genre
      // first (MovieLens lists genres alphabetically, so there it is only a hint).
      const std::string& g = m.genres[chosen[r]];
      group = g.substr(0, g.find('|'));
      if (group.empty() || group == "(no genres listed)") group = "(no genre)";
    }
    plot.points.push_back({p.points(row, 0), p.points(row, 1), m.item_label(chosen[r]), group});
  }
  const RenderedPlot rendered = render_scatter_svg(plot);
  if (rendered.grown > 0)
    spdlog::info("the points crowd: the map is {:.0f} x {:.0f} px so that leaders can part",
                 rendered.width, rendered.height);
  if (rendered.layout.unresolved > 0)
    spdlog::warn("{} labels found no place where their leaders cross no label or leader",
                 rendered.layout.unresolved);
  if (!o.svg.empty()) {
    write_file_atomically(o.svg, rendered.svg);
    spdlog::info("wrote {} ({:.0f} x {:.0f} px, {} labelled points)", o.svg, rendered.width,
                 rendered.height, chosen.size());
  }
  if (!o.png.empty()) {
    // Twice the SVG's size, so the labels stay sharp on high-density screens.
    write_file_atomically(o.png, svg_to_png(rendered.svg, 2.0));
    spdlog::info("wrote {} ({:.0f} x {:.0f} px)", o.png, 2 * rendered.width, 2 * rendered.height);
  }
}

}  // namespace recsys::cli
