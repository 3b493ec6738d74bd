// TablePrinter: left-aligned text columns for `account list`, `mailbox list`. Private to src/cli.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace roost::cli {

class TablePrinter {
 public:
  explicit TablePrinter(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// "2024-05-01 12:00:00Z" for a unix time.
std::string format_utc(int64_t unix_seconds);

}  // namespace roost::cli
