// roost: the one binary (DESIGN.md "One binary, layered").
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"Roost mail server", "roost"};
  app.set_version_flag("--version", std::string("roost ") + ROOST_VERSION);
  app.require_subcommand(1);
  roost::cli::GlobalOptions options;
  roost::cli::add_serve_command(app, options);
  roost::cli::add_account_commands(app, options);
  roost::cli::add_mailbox_commands(app, options);
  roost::cli::add_import_commands(app, options);
  roost::cli::add_message_commands(app, options);
  roost::cli::add_dkim_commands(app, options);
  roost::cli::add_queue_commands(app, options);
  roost::cli::add_config_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // the command already said why on stderr
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help/--version succeed; anything else is a usage error
  } catch (const std::exception& e) {
    std::cerr << "roost: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
