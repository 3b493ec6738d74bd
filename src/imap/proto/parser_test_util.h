// Test helper: drives a CommandParser over an input fed whole or in fixed-size pieces, answering
// continuations implicitly, and records what came out. Shared by the parser tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/command_parser.h"

namespace roost::imap::testing {

struct Run {
  std::vector<Command> commands;
  std::vector<std::pair<std::string, Error>> errors;  // tag, error
  std::vector<AppendMessage> starts;                  // APPEND LiteralStart messages
  std::vector<std::string> literals;                  // APPEND message bytes, joined chunks
  std::vector<std::string> lines;
  std::vector<ParseEventKind> kinds;  // every event but NeedMore and LiteralChunk
  size_t max_chunk_seen = 0;
};

inline void drain(CommandParser& p, Run& run) {
  while (true) {
    ParseEvent e = p.next();
    switch (e.kind) {
      case ParseEventKind::NeedMore:
        return;
      case ParseEventKind::LiteralChunk:
        run.literals.back().append(e.data);
        run.max_chunk_seen = std::max(run.max_chunk_seen, e.data.size());
        continue;
      case ParseEventKind::LiteralStart:
        run.starts.push_back(e.message);
        run.literals.emplace_back();
        break;
      case ParseEventKind::Command:
        run.commands.push_back(*e.command);
        break;
      case ParseEventKind::Error:
        run.errors.emplace_back(e.tag, *e.error);
        break;
      case ParseEventKind::Line:
        run.lines.emplace_back(e.data);
        break;
      default:
        break;
    }
    run.kinds.push_back(e.kind);
  }
}

// piece == 0: feed everything at once.
inline Run run_parser(std::string_view input, size_t piece = 0, ParserLimits limits = {},
                      bool utf8_names = false) {
  CommandParser p(limits);
  p.set_utf8_names(utf8_names);
  Run run;
  if (piece == 0) piece = input.size() + 1;
  for (size_t at = 0; at < input.size(); at += piece) {
    p.feed(input.substr(at, piece));
    drain(p, run);
  }
  drain(p, run);
  return run;
}

// Parses `input` whole and byte by byte; both must agree and yield exactly one command.
inline Command parse_one(std::string_view input, ParserLimits limits = {}, bool utf8 = false) {
  Run whole = run_parser(input, 0, limits, utf8);
  Run bytes = run_parser(input, 1, limits, utf8);
  EXPECT_EQ(whole.errors.size(), 0u)
      << input << " → " << (whole.errors.empty() ? "" : whole.errors[0].second.text);
  EXPECT_EQ(whole.commands.size(), 1u) << input;
  EXPECT_EQ(whole.commands, bytes.commands) << input;
  EXPECT_EQ(whole.kinds, bytes.kinds) << input;
  return whole.commands.empty() ? Command{} : whole.commands[0];
}

// Expects exactly one error (same whole and byte by byte) and returns it with its tag.
inline std::pair<std::string, Error> parse_error(std::string_view input, ParserLimits limits = {}) {
  Run whole = run_parser(input, 0, limits);
  Run bytes = run_parser(input, 1, limits);
  EXPECT_EQ(whole.commands.size(), 0u) << input;
  EXPECT_EQ(whole.errors.size(), 1u) << input;
  EXPECT_EQ(bytes.errors.size(), whole.errors.size()) << input;
  if (whole.errors.empty()) return {};
  EXPECT_EQ(whole.errors[0].first, bytes.errors[0].first) << input;
  EXPECT_EQ(whole.errors[0].second.kind, bytes.errors[0].second.kind) << input;
  return whole.errors[0];
}

}  // namespace roost::imap::testing
