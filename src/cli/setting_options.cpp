#include "setting_options.hpp"

#include <optional>

namespace recsys::cli {

void add_setting_options(CLI::App* cmd, SettingTexts& texts) {
  const TrainConfig choice = TrainConfig::from_preset("default", Objective::Choice);
  const TrainConfig rating = TrainConfig::from_preset("default", Objective::Rating);
  for (const SettingInfo& s : train_settings()) {
    std::string& text = texts[std::string(s.key)];
    text = setting_text(choice, s.key, TextForm::Short);
    const std::string for_rating = setting_text(rating, s.key, TextForm::Short);
    std::string help(s.help);
    if (s.key == "objective")
      help += " [default: choice; rating with --preset notebook]";
    else if (for_rating == text)
      help += " [default: " + text + "]";
    else
      help += " [default: " + text + " for choice, " + for_rating + " for rating]";
    cmd->add_option(std::string(s.option), text, help);
  }
}

TrainConfig resolve_settings(const CLI::App& cmd, const SettingTexts& texts) {
  // The preset's values are those of the objective asked for.
  std::optional<Objective> objective;
  if (cmd.count("--objective")) {
    TrainConfig parsed;
    set_setting(parsed, "objective", texts.at("objective"));
    objective = parsed.objective;
  }
  TrainConfig config = TrainConfig::from_preset(texts.at("preset"), objective);
  for (const SettingInfo& s : train_settings())
    if (s.key != "preset" && cmd.count(std::string(s.option)))
      set_setting(config, s.key, texts.at(std::string(s.key)));
  config.check();
  return config;
}

}  // namespace recsys::cli
