#include "cli/password_input.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

namespace roost::cli {
namespace {

// Reads one line from the terminal with echo turned off (restored even on EOF).
std::string read_hidden_line(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old_mode{};
  bool have_mode = tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (have_mode) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (have_mode) tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::cerr << "\n";
  return line;
}

}  // namespace

bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }

Result<std::string> read_new_password(bool from_stdin) {
  if (from_stdin) {
    std::string all{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (!all.empty() && all.back() == '\n') all.pop_back();
    if (!all.empty() && all.back() == '\r') all.pop_back();
    if (all.empty()) return make_error(ErrorKind::Syntax, "no password on stdin");
    return all;
  }
  if (!stdin_is_terminal()) {
    return make_error(ErrorKind::Syntax,
                      "stdin is not a terminal: pass --password-stdin and write the password "
                      "to stdin");
  }
  std::string first = read_hidden_line("New password: ");
  if (first.empty()) return make_error(ErrorKind::Syntax, "the password must not be empty");
  std::string second = read_hidden_line("Repeat password: ");
  if (first != second) return make_error(ErrorKind::Syntax, "the passwords do not match");
  return first;
}

bool confirm_on_terminal(const std::string& question) {
  if (!stdin_is_terminal()) return false;
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace roost::cli
