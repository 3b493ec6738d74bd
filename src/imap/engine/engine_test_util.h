// Test helpers: FETCH items, SEARCH keys and SORT criteria from their wire text, through the real
// command parser, so tests read like IMAP.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "imap/proto/command_parser.h"
#include "store/types.h"

namespace roost::imap::testing {

inline Command parse_command(std::string_view line) {
  CommandParser parser;
  parser.feed(std::string(line) + "\r\n");
  ParseEvent e = parser.next();
  EXPECT_EQ(e.kind, ParseEventKind::Command)
      << line << ": " << (e.error ? e.error->text : std::string());
  return e.command ? *e.command : Command{};
}

// "(BODY[1] UID)" or a single item.
inline std::vector<FetchItem> fetch_items(std::string_view items) {
  Command c = parse_command("t FETCH 1 " + std::string(items));
  auto* args = std::get_if<FetchArgs>(&c.args);
  return args ? args->items : std::vector<FetchItem>{};
}

inline SearchKey search_key(std::string_view program) {
  Command c = parse_command("t SEARCH " + std::string(program));
  auto* args = std::get_if<SearchArgs>(&c.args);
  return args ? args->key : SearchKey{};
}

inline std::vector<SortCriterion> sort_criteria(std::string_view criteria) {
  Command c = parse_command("t SORT " + std::string(criteria) + " UTF-8 ALL");
  auto* args = std::get_if<SortArgs>(&c.args);
  return args ? args->criteria : std::vector<SortCriterion>{};
}

inline std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace roost::imap::testing
