#include "options.h"

#include <fstream>
#include <stdexcept>

namespace roost::bench {
namespace {

void expand_item(const std::string& item, std::vector<std::string>& out) {
  size_t open = item.find('{');
  size_t dots = item.find("..", open == std::string::npos ? 0 : open);
  size_t close = item.find('}', dots == std::string::npos ? 0 : dots);
  if (open == std::string::npos || dots == std::string::npos || close == std::string::npos) {
    out.push_back(item);
    return;
  }
  uint64_t first = std::stoull(item.substr(open + 1, dots - open - 1));
  uint64_t last = std::stoull(item.substr(dots + 2, close - dots - 2));
  if (last < first) throw std::invalid_argument("empty account range " + item);
  std::string prefix = item.substr(0, open), suffix = item.substr(close + 1);
  for (uint64_t n = first; n <= last; ++n) out.push_back(prefix + std::to_string(n) + suffix);
}

}  // namespace

std::vector<std::string> expand_accounts(const std::string& spec) {
  std::vector<std::string> out;
  if (spec.starts_with("@")) {
    std::ifstream f(spec.substr(1));
    if (!f) throw std::invalid_argument("cannot read " + spec.substr(1));
    for (std::string line; std::getline(f, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  }
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    if (comma > pos) expand_item(spec.substr(pos, comma - pos), out);
    pos = comma + 1;
  }
  return out;
}

}  // namespace roost::bench
