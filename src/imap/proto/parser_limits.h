// ParserLimits: the bounds the IMAP command parser enforces (STYLE.md convention 7: named
// settings, no magic numbers). Defaults are safe for a public server; config maps keys onto them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace roost::imap {

struct ParserLimits {
  size_t max_line_length = 64 * 1024;      // one line of a command, CRLF excluded
  uint64_t max_literal_size = 64 * 1024;   // one literal outside APPEND (LOGIN, SEARCH, ...)
  uint64_t max_append_size = 64ull << 20;  // one APPEND message (APPENDLIMIT, RFC 7889)
  size_t max_command_size = 1024 * 1024;   // a whole command: lines plus non-APPEND literals
  size_t max_nesting = 32;                 // parenthesis depth
  size_t max_sequence_ranges = 10000;      // ranges in all sequence sets of one command
  size_t max_search_keys = 1000;           // keys in one SEARCH/SORT/THREAD program
  size_t max_chunk = 64 * 1024;            // largest APPEND LiteralChunk handed out at once
  // RFC 7888 §4: with LITERAL- (instead of LITERAL+) set this to kLiteralMinusLimit.
  uint64_t max_nonsync_literal_size = UINT64_MAX;
};

// RFC 7888 §4: the largest non-synchronizing literal a LITERAL- server accepts.
constexpr uint64_t kLiteralMinusLimit = 4096;

}  // namespace roost::imap
