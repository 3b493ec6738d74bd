// roost config reference|check
#include <iostream>

#include "cli/commands.h"

namespace roost::cli {

void add_config_commands(CLI::App& app, GlobalOptions& options) {
  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);

  auto* reference = config->add_subcommand(
      "reference", "Print every config key as a Markdown table (the README reference)");
  reference->callback([] { std::cout << config::reference_markdown(); });

  auto* check = config->add_subcommand("check", "Load and validate the config file");
  add_global_options(*check, options);
  check->callback([&options] {
    auto settings = value_or_fail(load_settings(options));
    std::cout << (settings.source.empty() ? std::string("no config file; defaults")
                                          : settings.source)
              << ": ok\n";
    std::cout << "data_dir: " << settings.server.data_dir << "\n";
    for (const auto& l : settings.listeners()) {
      std::cout << "listen " << net::to_string(l) << "\n";
    }
  });
}

}  // namespace roost::cli
