#pragma once
// The training settings as options (--dim, --epochs, --preset, ...), one per
// entry of train_settings(), shared by every command that trains: train and cv.
#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>

#include "recsys/train/train_config.hpp"

namespace recsys::cli {

// Each setting's text as typed (or its default), by key.
using SettingTexts = std::map<std::string, std::string, std::less<>>;

void add_setting_options(CLI::App* cmd, SettingTexts& texts);

// The preset (of the objective asked for), then every setting given
// explicitly, then one check; throws Error.
TrainConfig resolve_settings(const CLI::App& cmd, const SettingTexts& texts);

}  // namespace recsys::cli
